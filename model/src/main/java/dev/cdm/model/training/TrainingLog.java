package dev.cdm.model.training;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The reference's {@code Logger}: every line printed and appended to the run's {@code log.txt}.
 * Lines logged before the run directory exists (loading the dataset, the weights, the state: all
 * that can fail on the inputs) are kept and written first when {@link #toFile} names the file. As
 * the reference's {@code Logger(file_mode='a')}, an existing {@code log.txt} is kept: a run resumed
 * into its own directory (as {@code cdm demo} does from the EDM to the CDM stage) appends.
 */
public final class TrainingLog implements Consumer<String> {
  private final PrintStream out;
  private final List<String> early = new ArrayList<>();
  private Path file;

  public TrainingLog(PrintStream out) {
    this.out = out;
  }

  /**
   * Appends the lines so far to {@code logFile} (created when missing, kept when there: the log of
   * the run being resumed) and every later line.
   */
  public synchronized void toFile(Path logFile) throws IOException {
    Files.write(
        logFile,
        early,
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    early.clear();
    file = logFile;
  }

  @Override
  public synchronized void accept(String line) {
    if (file == null) {
      out.println(line);
      early.add(line);
    } else {
      tee(out, file).accept(line);
    }
  }

  /** A log sink that prints to {@code out} and appends to {@code file} (none when null). */
  public static Consumer<String> tee(PrintStream out, Path file) {
    return line -> {
      out.println(line);
      if (file != null) {
        try {
          Files.writeString(
              file,
              line + "\n",
              StandardCharsets.UTF_8,
              StandardOpenOption.CREATE,
              StandardOpenOption.APPEND);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };
  }
}

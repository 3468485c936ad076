package dev.cdm.model.training;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingLogTest {
  @TempDir Path tmp;

  @Test
  void earlyLinesGoFirstThenEveryLineIsPrintedAndAppended() throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    TrainingLog log = new TrainingLog(new PrintStream(buf, true, StandardCharsets.UTF_8));
    log.accept("Loading dataset...");
    Path file = tmp.resolve("log.txt");
    log.toFile(file);
    log.accept("tick 0");
    assertEquals(List.of("Loading dataset...", "tick 0"), Files.readAllLines(file));
    assertEquals("Loading dataset...\ntick 0\n", buf.toString(StandardCharsets.UTF_8));
  }

  /** A run resumed into its own directory keeps the earlier log (the reference's file_mode='a'). */
  @Test
  void resumingIntoTheSameRunDirectoryKeepsTheEarlierLog() throws Exception {
    Path file = tmp.resolve("log.txt");
    TrainingLog first = new TrainingLog(new PrintStream(new ByteArrayOutputStream()));
    first.accept("Loading dataset...");
    first.toFile(file);
    first.accept("tick 1 (edm)");
    TrainingLog resumed = new TrainingLog(new PrintStream(new ByteArrayOutputStream()));
    resumed.accept("Loading training state...");
    resumed.toFile(file);
    resumed.accept("tick 2 (cdm)");
    assertEquals(
        List.of("Loading dataset...", "tick 1 (edm)", "Loading training state...", "tick 2 (cdm)"),
        Files.readAllLines(file));
  }
}

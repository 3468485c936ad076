package dev.cdm.pipelines.evaluate;

import dev.cdm.pipelines.Cdm;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code cdm evaluate --watch} on a training's run directory, in a process of its own beside the
 * training ({@code cdm train --evaluate=REF}): its own JVM, worker threads and devices (choose them
 * with {@code --device=gpu:i,j} among its flags), so a slow or failing evaluation does not touch
 * the training. Its output goes to {@code evaluate-log.txt} in the run directory (for a remote run
 * directory, in the staging folder, published with the run's other logs); it stops by itself after
 * the training's end marker, and is stopped if the training fails or its process dies first.
 */
public final class EvaluationProcess {
  public static final String LOG = "evaluate-log.txt";

  private final Process process;

  private EvaluationProcess(Process process) {
    this.process = process;
  }

  /**
   * Starts the evaluation of the run directory {@code runDir} (a local folder or a remote one)
   * against {@code ref}, its output appended to the local file {@code logFile}; {@code flags} are
   * further flags of {@code cdm evaluate}, separated by spaces (null for none).
   */
  public static EvaluationProcess start(String runDir, Path logFile, String ref, String flags)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!a.startsWith("-agentlib:jdwp") && !a.startsWith("-javaagent")) {
        cmd.add(a); // heap size, -D properties of the launcher
      }
    }
    // The project's settings as this process has them now (e.g. cdm.cache set after start-up):
    // the evaluation downloads into the same cache and sees the same file systems.
    for (String name : System.getProperties().stringPropertyNames()) {
      if (name.startsWith("cdm.")) {
        cmd.add("-D" + name + "=" + System.getProperty(name));
      }
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Cdm.class.getName());
    cmd.add("evaluate");
    cmd.add("--snapshots=" + runDir);
    cmd.add("--ref=" + ref);
    cmd.add("--watch");
    if (flags != null && !flags.isBlank()) {
      cmd.addAll(List.of(flags.trim().split("\\s+")));
    }
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
            .start();
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroy));
    return new EvaluationProcess(p);
  }

  /** Waits until the evaluation has done the last snapshot; its exit code. */
  public int awaitEnd() throws InterruptedException {
    return process.waitFor();
  }

  /**
   * Waits at most {@code millis} for the evaluation to end; true when it has (then {@link
   * #awaitEnd} returns at once).
   */
  public boolean awaitEnd(long millis) throws InterruptedException {
    return process.waitFor(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /** Stops the evaluation (the training failed: no end marker will come). */
  public void stop() {
    process.destroy();
  }
}

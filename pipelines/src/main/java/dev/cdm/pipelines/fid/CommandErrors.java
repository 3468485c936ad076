package dev.cdm.pipelines.fid;

import java.util.concurrent.Callable;

/**
 * Runs a command body and turns failures into one line on stderr naming the cause (the input
 * flag/file is in the message), exit code 1; the stack trace only with {@code -Dcdm.trace=true}.
 */
public final class CommandErrors {
  private CommandErrors() {}

  public static int run(String command, Callable<Integer> body) {
    try {
      return body.call();
    } catch (Exception e) {
      Throwable root = e;
      // Runners wrap the worker's exception (PipelineExecutionException, Flink's job failure,
      // UncheckedIOException): descend through wrappers to the message that names the input.
      while (root.getCause() != null && root.getCause() != root && isWrapper(root)) {
        root = root.getCause();
      }
      String msg = root.getMessage() != null ? root.getMessage() : root.toString();
      System.err.println("cdm " + command + ": error: " + msg);
      if (Boolean.getBoolean("cdm.trace")) {
        e.printStackTrace();
      }
      return 1;
    }
  }

  private static boolean isWrapper(Throwable t) {
    String msg = t.getMessage();
    String name = t.getClass().getName();
    return msg == null
        || msg.equals(t.getCause().toString())
        || t instanceof java.io.UncheckedIOException
        || t instanceof java.util.concurrent.ExecutionException
        || name.startsWith("org.apache.beam.")
        || name.startsWith("org.apache.flink.")
        || t.getClass() == RuntimeException.class;
  }
}

package dev.cdm.pipelines;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * The one error path of every {@code cdm} command. A failure is one line on stderr, {@code cdm
 * <command>: error: <message>}, whose message names the flag or file at fault and what was
 * expected; the stack trace only with {@code --verbose}. Exit codes:
 *
 * <ul>
 *   <li>{@value #USAGE}: the command line is wrong (unknown flag, a value that does not parse or is
 *       out of range, flags that contradict each other): picocli's {@link ParameterException} and
 *       {@link UsageException};
 *   <li>{@value #FAILED}: the work failed (a missing, unreadable or malformed file, an I/O error, a
 *       failed pipeline).
 * </ul>
 *
 * Runners and caches wrap the exception that names the input (Beam's {@code
 * PipelineExecutionException}, Guava's {@code UncheckedExecutionException}, Flink's job failures,
 * {@link ExecutionException}, ...): the line shows the cause inside them.
 */
public final class CommandErrors implements IExecutionExceptionHandler, IParameterExceptionHandler {
  public static final int USAGE = 2;
  public static final int FAILED = 1;

  /** A flag value that is wrong on its own or together with other flags (exit code 2). */
  public static final class UsageException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
      super(message);
    }
  }

  /**
   * A usage error whose message names the flag, e.g. {@code usage("--batch must be at least 1")}.
   */
  public static UsageException usage(String message) {
    return new UsageException(message);
  }

  private final boolean[] verbose;

  /** {@code verbose[0]} is read when an error is reported (set by the {@code --verbose} flag). */
  CommandErrors(boolean[] verbose) {
    this.verbose = verbose;
  }

  @Override
  public int handleParseException(ParameterException e, String[] args) {
    CommandLine cl = e.getCommandLine();
    report(cl, cause(e), USAGE);
    return USAGE;
  }

  @Override
  public int handleExecutionException(Exception e, CommandLine cl, ParseResult parseResult) {
    Throwable cause = cause(e);
    int code =
        cause instanceof UsageException || cause instanceof ParameterException ? USAGE : FAILED;
    report(cl, cause, code);
    return code;
  }

  private void report(CommandLine cl, Throwable cause, int code) {
    PrintWriter err = cl.getErr();
    String name = cl.getCommandSpec().qualifiedName(" ");
    String line = name + ": error: " + message(cause);
    if (code == USAGE
        && !(cause instanceof UsageException)
        && cl.getCommandSpec().usageMessage() != null) {
      line += " (see '" + name + " --help')";
    }
    err.println(line);
    if (verbose[0]) {
      cause.printStackTrace(err);
    }
    err.flush();
  }

  /** The exception that says what went wrong, inside the wrappers of runners and caches. */
  public static Throwable cause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t && isWrapper(t)) {
      t = t.getCause();
    }
    return t;
  }

  /**
   * One line for {@code e}: its message, or, when it has none, what kind of failure it was (never
   * "null").
   */
  public static String message(Throwable e) {
    Throwable t = cause(e);
    String msg = t.getMessage();
    if (msg == null || msg.isBlank()) {
      return describe(t);
    }
    if (t instanceof java.nio.file.NoSuchFileException) {
      return msg + ": no such file";
    }
    if (t instanceof java.nio.file.AccessDeniedException) {
      return msg + ": permission denied";
    }
    if (t instanceof java.nio.file.FileAlreadyExistsException) {
      return msg + ": already exists";
    }
    if (t instanceof java.net.UnknownHostException) {
      return "unknown host " + msg + " (offline?)";
    }
    if ((t instanceof NoClassDefFoundError || t instanceof ClassNotFoundException)
        && !msg.contains(" ")) {
      // The bare class name of a class that is not on the classpath (of a worker, often).
      return "class "
          + msg.replace('/', '.')
          + " not found ("
          + t.getClass().getSimpleName()
          + "; is a jar missing from the classpath, e.g. of the Flink workers? see --filesToStage)";
    }
    // One line: a message written over several lines (the reference's "Got:" details) is joined.
    String line = msg.strip().replaceAll("\\s*\\R\\s*", " ");
    // An Error's message alone rarely says what failed ("boom", a class name): say its kind.
    return t instanceof Error && !(t instanceof OutOfMemoryError)
        ? t.getClass().getSimpleName() + ": " + line
        : line;
  }

  private static String describe(Throwable t) {
    String kind = t.getClass().getSimpleName();
    if (t instanceof java.net.ConnectException || t instanceof java.net.http.HttpTimeoutException) {
      return kind + ": no connection (offline?)";
    }
    if (t instanceof OutOfMemoryError) {
      return "out of Java heap memory (raise -Xmx through CDM_JAVA_OPTS, or lower --batch)";
    }
    StackTraceElement[] st = t.getStackTrace();
    return kind
        + (st.length > 0
            ? " in " + st[0].getClassName().replaceAll(".*\\.", "") + "." + st[0].getMethodName()
            : "")
        + " (run with --verbose for the stack trace)";
  }

  private static boolean isWrapper(Throwable t) {
    String name = t.getClass().getName();
    String msg = t.getMessage();
    return msg == null
        || msg.equals(t.getCause().toString())
        // Flink's failure of a DoFn's setup: "The user defined 'open(Configuration)' method in
        // class ... caused an exception: <the cause's message>"
        || msg.endsWith(" caused an exception: " + t.getCause().getMessage())
        || t instanceof CommandLine.ExecutionException
        || t instanceof java.io.UncheckedIOException
        || t instanceof ExecutionException
        || t instanceof InvocationTargetException
        || name.endsWith(".UncheckedExecutionException")
        || name.endsWith(".ExecutionError")
        || name.startsWith("org.apache.beam.")
        || name.startsWith("org.apache.flink.")
        || t.getClass() == RuntimeException.class;
  }
}

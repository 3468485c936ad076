package dev.cdm.pipelines;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.UnmatchedArgsBinding;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The Beam pipeline options of every command that runs a pipeline (a picocli mixin): the common
 * ones named in {@code --help} ({@code --runner}, {@code --flinkMaster}, {@code --parallelism},
 * {@code --filesToStage}, {@code --tempLocation}), and any other {@code --name=value} passed
 * through to Beam's {@link PipelineOptionsFactory} as given (e.g. {@code --targetParallelism=4},
 * {@code --project=...}). An argument that is neither a flag of the command nor a Beam option is a
 * usage error naming it.
 */
public final class BeamOptions {
  private static final Pattern UNKNOWN = Pattern.compile("missing a property named '([^']*)'");

  @Option(
      names = "--runner",
      defaultValue = "DirectRunner",
      paramLabel = "DirectRunner|FlinkRunner",
      description = "Beam runner: DirectRunner or FlinkRunner (default: ${DEFAULT-VALUE}).")
  String runner = "DirectRunner";

  @Option(
      names = "--flinkMaster",
      paramLabel = "[local]|HOST:PORT",
      description = "Flink master: [local] or host:port.")
  String flinkMaster;

  @Option(
      names = "--parallelism",
      paramLabel = "INT",
      description = "Parallelism (Flink) / worker threads (Direct).")
  Integer parallelism;

  @Option(
      names = "--filesToStage",
      paramLabel = "JAR[,JAR...]",
      description =
          "Files a Flink job ships to the cluster (default: the whole classpath). A cluster"
              + " whose processes hold the project's classpath (infra/flink) needs only the cdm jar.")
  String filesToStage;

  @Option(
      names = "--tempLocation",
      paramLabel = "DIR|gs://...",
      description =
          "Where workers leave files for this command (e.g. the FID result file when"
              + " --results is not given); on a multi-host cluster a place every host reaches.")
  String tempLocation;

  /** Every other argument: further Beam options, checked by {@link #parse}. */
  private final List<String> passThrough = new ArrayList<>();

  /**
   * Makes the command that mixes these options in hand its unmatched arguments to {@link
   * #passThrough} (picocli does not carry an {@code @Unmatched} field over from a mixin).
   */
  @Spec(Spec.Target.MIXEE)
  void collectUnmatchedOf(CommandSpec command) {
    command.addUnmatchedArgsBinding(
        UnmatchedArgsBinding.forStringArrayConsumer(
            new ISetter() {
              @Override
              public <T> T set(T value) {
                if (value == null) {
                  passThrough.clear(); // picocli's reset before each parse
                } else {
                  passThrough.addAll(Arrays.asList((String[]) value));
                }
                return null;
              }
            }));
  }

  /**
   * The Beam arguments these flags stand for: the named ones ({@code --parallelism} becomes {@code
   * --targetParallelism} on the DirectRunner, whose worker threads it sets), then the
   * passed-through ones in their order.
   */
  public List<String> args() {
    List<String> args = new ArrayList<>();
    args.add("--runner=" + runner);
    if (flinkMaster != null) {
      args.add("--flinkMaster=" + flinkMaster);
    }
    if (tempLocation != null) {
      args.add("--tempLocation=" + tempLocation);
    }
    if (filesToStage != null) {
      args.add("--filesToStage=" + filesToStage);
    }
    if (parallelism != null) {
      args.add(
          (runner.toLowerCase().contains("direct") ? "--targetParallelism=" : "--parallelism=")
              + parallelism);
    }
    args.addAll(passThrough);
    return List.copyOf(args);
  }

  /** The validated {@link PipelineOptions}; a bad or unknown option is a usage error naming it. */
  public PipelineOptions create() {
    return parse(args());
  }

  /**
   * Beam pipeline options from {@code --name=value} arguments; an unknown or malformed one is a
   * usage error naming it.
   */
  public static PipelineOptions parse(List<String> args) {
    for (String a : args) {
      if (!a.startsWith("--")) {
        throw CommandErrors.usage("unexpected argument '" + a + "'");
      }
    }
    try {
      return PipelineOptionsFactory.fromArgs(args.toArray(new String[0])).withValidation().create();
    } catch (IllegalArgumentException e) {
      String msg = CommandErrors.message(e);
      Matcher m = UNKNOWN.matcher(msg);
      if (m.find()) {
        throw CommandErrors.usage(
            "unknown option --"
                + m.group(1)
                + " (neither a flag of this command nor a Beam pipeline option; see --help)");
      }
      throw CommandErrors.usage(msg);
    }
  }
}

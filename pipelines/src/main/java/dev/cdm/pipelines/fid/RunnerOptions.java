package dev.cdm.pipelines.fid;

import dev.cdm.pipelines.CommandErrors;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import picocli.CommandLine.Option;

/** The Beam options the FID commands accept, turned into {@link PipelineOptions}. */
public final class RunnerOptions {
  @Option(names = "--runner", defaultValue = "DirectRunner", paramLabel = "DirectRunner|FlinkRunner",
      description = "Beam runner: DirectRunner or FlinkRunner (default: ${DEFAULT-VALUE}).")
  String runner;

  @Option(names = "--flinkMaster", paramLabel = "[local]|HOST:PORT", description = "Flink master: [local] or host:port.")
  String flinkMaster;

  @Option(names = "--parallelism", paramLabel = "INT", description = "Parallelism (Flink) / worker threads (Direct).")
  Integer parallelism;

  @Option(names = "--filesToStage", paramLabel = "JAR[,JAR...]",
      description = "Files a Flink job ships to the cluster (default: the whole classpath). A cluster"
          + " whose processes hold the project's classpath (infra/flink) needs only the cdm jar.")
  String filesToStage;

  @Option(names = "--tempLocation", paramLabel = "DIR|gs://...",
      description = "Where workers leave files for this command (the FID result file when"
          + " --results is not given); on a multi-host cluster a place every host reaches.")
  String tempLocation;

  public PipelineOptions create() {
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
      args.add((runner.toLowerCase().contains("direct") ? "--targetParallelism=" : "--parallelism=")
          + parallelism);
    }
    return parse(args);
  }

  /**
   * Beam pipeline options from {@code --name=value} arguments (the pass-through options of
   * {@code dataset} and {@code generate}); an unknown or malformed one is a usage error naming it.
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
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("missing a property named '([^']*)'")
          .matcher(msg);
      if (m.find()) {
        throw CommandErrors.usage("unknown option --" + m.group(1)
            + " (neither a flag of this command nor a Beam pipeline option; see --help)");
      }
      throw CommandErrors.usage(msg);
    }
  }
}

package dev.cdm.pipelines.fid;

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

  public PipelineOptions create() {
    List<String> args = new ArrayList<>();
    args.add("--runner=" + runner);
    if (flinkMaster != null) {
      args.add("--flinkMaster=" + flinkMaster);
    }
    if (parallelism != null) {
      args.add((runner.toLowerCase().contains("direct") ? "--targetParallelism=" : "--parallelism=")
          + parallelism);
    }
    return PipelineOptionsFactory.fromArgs(args.toArray(new String[0])).create();
  }
}

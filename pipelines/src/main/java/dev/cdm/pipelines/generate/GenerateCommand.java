package dev.cdm.pipelines.generate;

import dev.cdm.model.sampling.SamplerSpec;
import dev.cdm.model.sampling.SeedList;
import dev.cdm.pipelines.BeamOptions;
import dev.cdm.pipelines.CommandErrors;
import dev.cdm.pipelines.DeviceOption;
import dev.cdm.pipelines.NetworkCheck;
import dev.cdm.pipelines.Outputs;
import dev.cdm.pipelines.PipelineCounters;
import dev.cdm.pipelines.PipelineRuns;
import dev.cdm.pipelines.SamplerOptions;
import dev.cdm.transforms.generate.StoredNetwork;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cdm generate}: the flags of the reference's {@code generate.py}, as a Beam pipeline. */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description =
        "Generate random images with the EDM sampler (or the ablation sampler) over a seed list,"
            + " one {seed:06d}.png per seed, as generate.py. Other --options are Beam pipeline options"
            + " (--runner=DirectRunner|FlinkRunner, --flinkMaster=[local], --parallelism=N).")
public final class GenerateCommand implements Callable<Integer> {
  @Option(
      names = "--network",
      required = true,
      paramLabel = "PATH|URL",
      description = "Network pickle (reference .pkl) or our snapshot; path, http(s):// or gs://")
  String network;

  @Option(
      names = "--outdir",
      required = true,
      paramLabel = "DIR",
      description = "Where to save the output images")
  String outdir;

  @Option(
      names = "--seeds",
      defaultValue = "0-63",
      paramLabel = "LIST",
      description = "Random seeds (e.g. 1,2,5-10) (default: ${DEFAULT-VALUE})")
  String seeds;

  @Option(names = "--subdirs", description = "Create subdirectory for every 1000 seeds")
  boolean subdirs;

  @Option(
      names = "--batch",
      defaultValue = "64",
      paramLabel = "INT",
      description = "Maximum batch size (default: ${DEFAULT-VALUE})")
  int batch;

  @Mixin SamplerOptions sampler;

  @Mixin DeviceOption device;

  @Option(
      names = "--tf32",
      description = "Allow TF32 convolutions on the GPU (off otherwise, as in the reference)")
  boolean tf32;

  @Option(
      names = "--resume",
      description = "Skip seeds whose image already exists and is complete (decodes)")
  boolean resume;

  @Mixin BeamOptions beam;

  /** Validates the flags and builds the job; errors name the flag. */
  GenerateJob job() {
    if (batch < 1) {
      throw CommandErrors.usage("--batch must be at least 1, got " + batch);
    }
    List<Long> seedList;
    try {
      seedList = SeedList.parse(seeds, "--seeds");
    } catch (IllegalArgumentException e) {
      throw CommandErrors.usage(e.getMessage());
    }
    if (seedList.isEmpty()) {
      throw CommandErrors.usage("--seeds=" + seeds + " names no seeds");
    }
    SamplerSpec spec = sampler.spec();
    StoredNetwork factory;
    try {
      factory = StoredNetwork.of(network, sampler.precision);
    } catch (IllegalArgumentException e) {
      throw CommandErrors.usage(e.getMessage());
    }
    device.resolve();
    return GenerateJob.builder()
        .network(factory)
        .outdir(outdir)
        .seeds(seedList)
        .subdirs(subdirs)
        .classIdx(sampler.classIdx())
        .batch(batch)
        .sampler(spec)
        .device(device.device)
        .resume(resume)
        .build();
  }

  @Override
  public Integer call() throws Exception {
    if (tf32) {
      // Read by EngineDefaults when the engine starts (./cdm also passes it on the command line).
      System.setProperty("cdm.tf32", "true");
      if ("0".equals(System.getenv("NVIDIA_TF32_OVERRIDE"))) {
        System.err.println(
            "--tf32: NVIDIA_TF32_OVERRIDE=0 is set in the environment and keeps TF32 off; unset it");
      }
    }
    // Everything that can be checked is checked before the first image: flags, then files.
    GenerateJob job = job();
    PipelineOptions options = beam.create();
    NetworkCheck.of(network, "--network").checkClass(job.classIdx());
    Outputs.checkFolder("--outdir", outdir);
    Pipeline p = Pipeline.create(options);
    int n = GeneratePipeline.build(p, job);
    if (n == 0) {
      System.err.println(
          "Nothing to generate: all "
              + job.seeds().size()
              + " images exist in \""
              + outdir
              + "\".");
      return 0;
    }
    System.err.println("Generating " + n + " images to \"" + outdir + "\"...");
    PipelineCounters.of(PipelineRuns.runToEnd(p, "the generate pipeline")).print();
    System.err.println("Done.");
    return 0;
  }
}

package dev.cdm.pipelines.generate;

import dev.cdm.model.sampling.SamplerSpec;
import dev.cdm.model.sampling.SeedList;
import dev.cdm.pipelines.SamplerOptions;
import dev.cdm.transforms.generate.NetworkFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/** {@code cdm generate}: the flags of the reference's {@code generate.py}, as a Beam pipeline. */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description =
        "Generate random images with the EDM sampler (or the ablation sampler) over a seed list,"
            + " one {seed:06d}.png per seed, as generate.py. Other --options are Beam pipeline options"
            + " (--runner=DirectRunner|FlinkRunner, --flinkMaster=[local], --parallelism=N).")
public final class GenerateCommand implements Callable<Integer> {
  @Option(names = "--network", required = true, paramLabel = "PATH|URL",
      description = "Network pickle (reference .pkl) or our snapshot; path, http(s):// or gs://")
  String network;

  @Option(names = "--outdir", required = true, paramLabel = "DIR",
      description = "Where to save the output images")
  String outdir;

  @Option(names = "--seeds", defaultValue = "0-63", paramLabel = "LIST",
      description = "Random seeds (e.g. 1,2,5-10)  [default: ${DEFAULT-VALUE}]")
  String seeds;

  @Option(names = "--subdirs", description = "Create subdirectory for every 1000 seeds")
  boolean subdirs;

  @Option(names = "--batch", defaultValue = "64", paramLabel = "INT",
      description = "Maximum batch size  [default: ${DEFAULT-VALUE}]")
  int batch;

  @Mixin SamplerOptions sampler;

  @Option(names = "--device", defaultValue = "cpu", paramLabel = "cpu|gpu",
      description = "Where each worker slot samples (gpu: one GPU per slot)  [default: ${DEFAULT-VALUE}]")
  String device;

  @Option(names = "--tf32",
      description = "Allow TF32 convolutions on the GPU (off otherwise, as in the reference)")
  boolean tf32;

  @Option(names = "--resume", description = "Skip seeds whose image already exists")
  boolean resume;

  @Unmatched List<String> beamArgs = new ArrayList<>();

  /** Validates the flags and builds the job; errors name the flag. */
  GenerateJob job() {
    if (batch < 1) {
      throw new IllegalArgumentException("--batch: must be >= 1, got " + batch);
    }
    for (String a : beamArgs) {
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument '" + a + "'");
      }
    }
    SamplerSpec spec = sampler.spec();
    return GenerateJob.builder()
        .network(NetworkFactory.of(network, sampler.precision))
        .outdir(outdir)
        .seeds(SeedList.parse(seeds, "--seeds"))
        .subdirs(subdirs)
        .classIdx(sampler.classIdx())
        .batch(batch)
        .sampler(spec)
        .device(device)
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
    GenerateJob job = job();
    PipelineOptions options =
        PipelineOptionsFactory.fromArgs(beamArgs.toArray(new String[0])).withValidation().create();
    Pipeline p = Pipeline.create(options);
    int n = GeneratePipeline.build(p, job);
    System.err.println("Generating " + n + " images to \"" + outdir + "\"...");
    PipelineResult.State state = p.run().waitUntilFinish();
    System.err.println(state == PipelineResult.State.DONE ? "Done." : "Pipeline ended " + state);
    return state == PipelineResult.State.DONE ? 0 : 1;
  }
}

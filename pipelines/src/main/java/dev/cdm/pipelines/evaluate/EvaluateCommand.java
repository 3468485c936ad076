package dev.cdm.pipelines.evaluate;

import dev.cdm.fid.Detector;
import dev.cdm.fid.GaussianStatistics;
import dev.cdm.model.io.Sources;
import dev.cdm.pipelines.BeamOptions;
import dev.cdm.pipelines.CommandErrors;
import dev.cdm.pipelines.DeviceOption;
import dev.cdm.pipelines.SamplerOptions;
import dev.cdm.pipelines.fid.ReferenceStatistics;
import dev.cdm.transforms.generate.StoredNetwork;
import java.util.concurrent.Callable;
import org.apache.beam.sdk.io.FileSystems;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code cdm evaluate}: FID (with repeats), Inception Score and KID of every snapshot of a training
 * run, the reference's {@code eval.py} as Beam pipelines: the snapshots present, one bounded
 * pipeline each, or with {@code --watch} one streaming pipeline over the run directory; see {@link
 * EvaluatePipeline} and {@link SnapshotPollFn}.
 */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    description =
        "Evaluate training snapshots: for each network-snapshot-* of a run directory (or one"
            + " network file), generate --num images per repeat (repeat r: seeds r*num .."
            + " (r+1)*num-1), stream them into the detector and record FID, IS and KID in"
            + " results.jsonl, an 8x8 grid (seeds 0-63) and report.html. --watch follows a"
            + " running training. Other --options are Beam pipeline options.")
public final class EvaluateCommand implements Callable<Integer> {
  @Option(
      names = "--snapshots",
      required = true,
      paramLabel = "DIR|FILE",
      description =
          "Run directory with network-snapshot-NNNNNN[.NNN].pkl|.safetensors (local or gs://),"
              + " or one network file")
  String snapshots;

  @Option(
      names = "--ref",
      required = true,
      paramLabel = "NPZ|URL",
      description =
          "Dataset reference statistics (mu, sigma; with 'features' also KID: cdm ref --features=N)")
  String ref;

  @Option(
      names = "--outdir",
      paramLabel = "DIR",
      description = "Where results.jsonl, grids/ and report.html go (default: the run directory).")
  String outdir;

  @Option(
      names = "--num",
      defaultValue = "50000",
      paramLabel = "INT",
      description = "Images per repeat (default: ${DEFAULT-VALUE}).")
  int num;

  @Option(
      names = "--repeats",
      defaultValue = "3",
      paramLabel = "N",
      description = "FID repeats on disjoint seeds (default: ${DEFAULT-VALUE}).")
  int repeats;

  @Option(
      names = "--batch",
      defaultValue = "64",
      paramLabel = "INT",
      description = "Maximum batch size (default: ${DEFAULT-VALUE}).")
  int batch;

  @Mixin SamplerOptions sampler;

  @Mixin DeviceOption device = new DeviceOption();

  @Option(
      names = "--detector",
      defaultValue = Detector.INCEPTION_URL,
      paramLabel = "PT|URL|mnist",
      description =
          "TorchScript feature detector (default: Inception-v3), or 'mnist' for the"
              + " project's MNIST classifier (FID-MNIST).")
  String detector;

  @Option(
      names = "--kid-images",
      defaultValue = "10000",
      paramLabel = "INT",
      description = "Images per repeat whose features go into KID (default: ${DEFAULT-VALUE}).")
  int kidImages;

  @Option(
      names = "--save-images",
      description = "Also write every sample as images/<snapshot>/{seed:06d}.png")
  boolean saveImages;

  @Option(
      names = "--watch",
      description =
          "Keep evaluating new snapshots as they are published (a streaming"
              + " pipeline) until --until-kimg or the end of training")
  boolean watch;

  @Option(
      names = "--until-kimg",
      paramLabel = "KIMG",
      description =
          "With --watch: stop after the first snapshot of at least this kimg (whole or decimal,"
              + " e.g. 1.5: snapshots of a fraction of a kimg)")
  Double untilKimg;

  @Option(
      names = "--poll",
      defaultValue = "60",
      paramLabel = "SECONDS",
      description =
          "With --watch: seconds between looks at the run directory (default: ${DEFAULT-VALUE}).")
  double poll;

  @Mixin BeamOptions beam;

  /** Validates the flags and builds the job; errors name the flag. */
  EvaluateJob job() throws java.io.IOException {
    if (num < 2) {
      throw CommandErrors.usage("--num: must be >= 2, got " + num);
    }
    if (repeats < 1) {
      throw CommandErrors.usage("--repeats: must be >= 1, got " + repeats);
    }
    if (batch < 1) {
      throw CommandErrors.usage("--batch: must be >= 1, got " + batch);
    }
    if (kidImages < 0) {
      throw CommandErrors.usage("--kid-images: must be >= 0, got " + kidImages);
    }
    if (poll <= 0) {
      throw CommandErrors.usage("--poll: must be > 0 seconds, got " + poll);
    }
    if (untilKimg != null && !watch) {
      throw CommandErrors.usage("--until-kimg needs --watch");
    }
    if (untilKimg != null && !(untilKimg >= 0 && untilKimg < Double.POSITIVE_INFINITY)) {
      throw CommandErrors.usage("--until-kimg: must be a number >= 0, got " + untilKimg);
    }
    StoredNetwork.of("check", sampler.precision); // --precision errors before any work
    // A bad --ref or --detector fails here, before any image is generated.
    GaussianStatistics reference = ReferenceStatistics.read(ref, num);
    if (!Detector.isMnist(detector)) { // the built-in classifier is no file
      Sources.open(detector, "--detector");
    }
    String out = outdir;
    if (out == null) {
      out =
          Snapshot.isFile(snapshots)
              ? FileSystems.matchNewResource(snapshots, false).getCurrentDirectory().toString()
              : snapshots;
    }
    return EvaluateJob.builder()
        .snapshots(snapshots)
        .ref(ref)
        .outdir(out)
        .num(num)
        .repeats(repeats)
        .batch(batch)
        .sampler(sampler.spec())
        .precision(sampler.precision)
        .classIdx(sampler.classIdx())
        .device(device.device)
        .detectorDevice(device.device)
        .detector(detector)
        .kidImages(kidImages)
        .saveImages(saveImages)
        .pipelineArgs(beam.args())
        .build();
  }

  @Override
  public Integer call() throws Exception {
    {
      FileSystems.setDefaultPipelineOptions(beam.create());
      EvaluateJob job = job();
      SnapshotEvaluator evaluator = new SnapshotEvaluator(job, System.err::println);
      int n = watch ? evaluator.watch(Math.round(poll * 1000), untilKimg) : evaluator.evaluateAll();
      evaluator.counters().print();
      System.err.println(
          "Evaluated "
              + n
              + " snapshot"
              + (n == 1 ? "" : "s")
              + "; report: "
              + RunFiles.resolve(job.outdir(), EvaluationReport.HTML));
      int failures = watch ? evaluator.failures() : 0;
      if (failures > 0) {
        System.err.println(
            "cdm evaluate: error: "
                + failures
                + " snapshot"
                + (failures == 1 ? "" : "s")
                + " could not be evaluated (see above and "
                + ResultsLog.FAILURES
                + ")");
        return 1;
      }
      return 0;
    }
  }
}

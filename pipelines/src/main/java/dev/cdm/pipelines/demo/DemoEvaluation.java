package dev.cdm.pipelines.demo;

import com.google.gson.JsonObject;
import dev.cdm.fid.Detector;
import dev.cdm.model.sampling.SamplerSpec;
import dev.cdm.pipelines.evaluate.EvaluateJob;
import dev.cdm.pipelines.evaluate.ResultsLog;
import dev.cdm.pipelines.evaluate.Snapshot;
import dev.cdm.pipelines.evaluate.SnapshotEvaluator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * The demo's evaluation of a snapshot, through {@code cdm evaluate}'s machinery ({@link
 * SnapshotEvaluator}): {@code samples} samples (seeds 0.., each with its drawn class as {@code
 * generate.py} draws it; EDM sampler), FID-MNIST against the reference statistics, and as extra
 * metric ({@link ClassMetrics}) the MNIST classifier's accuracy per class and a grid with one row
 * per class. Results go to {@code eval/results.jsonl} (one row per snapshot; a row that exists is
 * reused), the grids to {@code eval/grids/} (seeds 0-63) and {@code eval/class-grids/}.
 */
final class DemoEvaluation {
  static final int CLASSES = 10;
  static final int GRID_COLUMNS = 10;

  private final EvaluateJob job;
  private final Path evalDir;
  private final Consumer<String> log;

  DemoEvaluation(
      Path evalDir, Path ref, int samples, int samplerSteps, String device, Consumer<String> log) {
    this.evalDir = evalDir;
    this.log = log;
    int num = samples;
    this.job =
        EvaluateJob.builder()
            .snapshots(evalDir.toString())
            .ref(ref.toString())
            .outdir(evalDir.toString())
            .num(num)
            .repeats(1)
            .batch(Math.min(num, 100))
            .sampler(SamplerSpec.builder().numSteps(samplerSteps).build())
            .device(device)
            .detectorDevice(device)
            .detector(Detector.MNIST)
            .kidImages(0)
            .build();
  }

  int imagesPerSnapshot() {
    return job.num();
  }

  /** The class grid of a snapshot, relative to the demo's folder. */
  static String classGrid(String name) {
    return "eval/class-grids/" + name + ".png";
  }

  /**
   * Scores the network file {@code network} under {@code name} (the row's key and the grids'
   * names), unless {@code results.jsonl} already has a row of that name.
   */
  SnapshotScore evaluate(Path network, String name, double kimg) throws IOException {
    String key = name + ".safetensors";
    for (JsonObject row : new ResultsLog(evalDir.toString()).rows()) {
      if (row.has("snapshot") && row.get("snapshot").getAsString().equals(key)) {
        log.accept(
            "  reusing the evaluation of " + name + " in " + evalDir.resolve(ResultsLog.FILE));
        return SnapshotScore.of(row, name, kimg, classGrid(name), CLASSES);
      }
    }
    Path grid = evalDir.resolve("class-grids").resolve(name + ".png");
    Files.createDirectories(grid.getParent());
    EvaluateJob one =
        job.toBuilder()
            .extraMetrics(
                List.of(
                    new ClassMetrics(
                        Detector.MNIST,
                        job.detectorDevice(),
                        job.batch(),
                        grid.toString(),
                        CLASSES,
                        GRID_COLUMNS)))
            .build();
    Snapshot snapshot =
        new Snapshot(
            network.toString(),
            key,
            Math.max(0, kimg),
            Files.size(network),
            Files.getLastModifiedTime(network).toMillis());
    JsonObject row = new SnapshotEvaluator(one, log).evaluate(snapshot);
    return SnapshotScore.of(row, name, kimg, classGrid(name), CLASSES);
  }
}

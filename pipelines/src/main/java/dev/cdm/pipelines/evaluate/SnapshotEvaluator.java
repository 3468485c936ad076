package dev.cdm.pipelines.evaluate;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.cdm.model.sampling.SamplerSpec;
import dev.cdm.pipelines.fid.FidResults;
import dev.cdm.transforms.evaluate.RepeatScores;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Evaluates snapshots one at a time: runs {@link EvaluatePipeline} for the snapshot, appends its
 * row to {@code results.jsonl}, and refreshes {@code report.html}. The Java entry point of
 * {@code cdm evaluate} (and of anything that wants the same results for its own snapshots).
 */
public final class SnapshotEvaluator {
  private final EvaluateJob job;
  private final Consumer<String> log;
  private final ResultsLog results;
  private final EvaluationReport report;

  public SnapshotEvaluator(EvaluateJob job, Consumer<String> log) {
    this.job = job;
    this.log = log;
    this.results = new ResultsLog(job.outdir());
    this.report = new EvaluationReport(job.outdir(), job.snapshots());
  }

  public ResultsLog results() {
    return results;
  }

  public EvaluationReport report() {
    return report;
  }

  /** The grid of a snapshot, relative to the output folder. */
  static String gridName(Snapshot s) {
    return "grids/" + s.stem() + ".png";
  }

  /** Evaluates one snapshot; returns the row it added to results.jsonl. */
  public JsonObject evaluate(Snapshot snapshot) throws IOException {
    long start = System.nanoTime();
    int images = EvaluatePipeline.seeds(job).size();
    log.accept(String.format(Locale.ROOT, "Evaluating %s (kimg %d): %d images x %d repeats%s...",
        snapshot.name(), snapshot.kimg(), job.num(), job.repeats(),
        images > job.num() * job.repeats() ? " (+" + (images - job.num() * job.repeats())
            + " for the grid)" : ""));
    String scoresFile = RunFiles.resolve(job.outdir(), "." + snapshot.stem() + ".scores.txt");
    String gridFile = RunFiles.resolve(job.outdir(), gridName(snapshot));
    PipelineOptions options =
        PipelineOptionsFactory.fromArgs(job.pipelineArgs().toArray(new String[0])).create();
    Pipeline p = Pipeline.create(options);
    EvaluatePipeline.build(p, job, snapshot, scoresFile, gridFile);
    PipelineResult.State state = p.run().waitUntilFinish();
    if (state != PipelineResult.State.DONE) {
      throw new IOException(snapshot.location() + ": evaluation pipeline ended " + state);
    }
    String text = RunFiles.readText(scoresFile);
    if (text == null) {
      throw new IOException(snapshot.location() + ": the pipeline finished without scores");
    }
    FileSystems.delete(List.of(FileSystems.matchNewResource(scoresFile, false)));
    TreeMap<Integer, RepeatScores> repeats = new TreeMap<>();
    Map<String, Double> metrics = new TreeMap<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("scores ")) {
        RepeatScores r = RepeatScores.parse(line.substring(7));
        repeats.put(r.repeat(), r);
      } else if (line.startsWith("metric ")) {
        String[] f = line.split(" ");
        metrics.put(f[1], Double.parseDouble(f[2]));
      }
    }
    if (repeats.size() != job.repeats()) {
      throw new IOException(snapshot.location() + ": expected scores of " + job.repeats()
          + " repeats, got " + repeats.size());
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    JsonObject row = row(snapshot, new ArrayList<>(repeats.values()), metrics, seconds);
    results.append(row);
    report.write(results.rows());
    log.accept(summary(row));
    return row;
  }

  JsonObject row(Snapshot s, List<RepeatScores> repeats, Map<String, Double> metrics,
      double seconds) {
    JsonObject o = new JsonObject();
    o.addProperty("snapshot", s.name());
    o.addProperty("kimg", s.kimg());
    double[] fid = repeats.stream().mapToDouble(RepeatScores::fid).toArray();
    FidResults f = new FidResults(fid);
    o.add("fid", array(fid));
    o.addProperty("fid_min", f.min());
    o.addProperty("fid_mean", f.mean());
    o.addProperty("fid_std", f.std());
    double[] is = repeats.stream().mapToDouble(RepeatScores::isMean).toArray();
    if (!Double.isNaN(is[0])) {
      o.add("is", array(is));
      o.addProperty("is_mean", mean(is));
      o.addProperty("is_std", mean(repeats.stream().mapToDouble(RepeatScores::isStd).toArray()));
    }
    double[] kid = repeats.stream().mapToDouble(RepeatScores::kidMean).toArray();
    if (!Double.isNaN(kid[0])) {
      o.add("kid", array(kid));
      o.addProperty("kid_mean", mean(kid));
      o.addProperty("kid_std", mean(repeats.stream().mapToDouble(RepeatScores::kidStd).toArray()));
    }
    if (!metrics.isEmpty()) {
      JsonObject m = new JsonObject();
      metrics.forEach(m::addProperty);
      o.add("metrics", m);
    }
    o.addProperty("num", job.num());
    o.addProperty("repeats", job.repeats());
    o.addProperty("images", repeats.stream().mapToLong(RepeatScores::images).sum());
    o.addProperty("generated", EvaluatePipeline.seeds(job).size());
    o.addProperty("seconds", Math.round(seconds * 10) / 10.0);
    o.add("sampler", sampler(job.sampler()));
    o.addProperty("grid", gridName(s));
    o.addProperty("timestamp", System.currentTimeMillis() / 1000.0);
    return o;
  }

  private JsonObject sampler(SamplerSpec spec) {
    JsonObject o = new JsonObject();
    o.addProperty("steps", spec.numSteps());
    if (spec.sigmaMin() != null) {
      o.addProperty("sigma_min", spec.sigmaMin());
    }
    if (spec.sigmaMax() != null) {
      o.addProperty("sigma_max", spec.sigmaMax());
    }
    o.addProperty("rho", spec.rho());
    o.addProperty("S_churn", spec.sChurn());
    o.addProperty("S_min", spec.sMin());
    o.addProperty("S_max", Double.isInfinite(spec.sMax()) ? "inf" : Double.toString(spec.sMax()));
    o.addProperty("S_noise", spec.sNoise());
    if (spec.solver() != null) {
      o.addProperty("solver", spec.solver().name().toLowerCase(Locale.ROOT));
    }
    if (spec.discretization() != null) {
      o.addProperty("disc", spec.discretization().name().toLowerCase(Locale.ROOT));
    }
    if (spec.schedule() != null) {
      o.addProperty("schedule", spec.schedule().name().toLowerCase(Locale.ROOT));
    }
    if (spec.scaling() != null) {
      o.addProperty("scaling", spec.scaling().name().toLowerCase(Locale.ROOT));
    }
    o.addProperty("precision", job.precision());
    if (job.classIdx() >= 0) {
      o.addProperty("class", job.classIdx());
    }
    return o;
  }

  /** The per-snapshot summary line. */
  static String summary(JsonObject row) {
    StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%s kimg %d: FID %s",
        row.get("snapshot").getAsString(), row.get("kimg").getAsLong(),
        FidResults.formatG(row.get("fid_mean").getAsDouble())));
    if (row.get("repeats").getAsInt() > 1) {
      b.append(String.format(Locale.ROOT, " +- %s (min %s)",
          FidResults.formatG(row.get("fid_std").getAsDouble()),
          FidResults.formatG(row.get("fid_min").getAsDouble())));
    }
    if (row.has("is_mean")) {
      b.append(String.format(Locale.ROOT, ", IS %s +- %s",
          FidResults.formatG(row.get("is_mean").getAsDouble()),
          FidResults.formatG(row.get("is_std").getAsDouble())));
    } else {
      b.append(", IS skipped (the detector has no class probabilities, or --num < 10)");
    }
    if (row.has("kid_mean")) {
      b.append(String.format(Locale.ROOT, ", KID %s +- %s",
          FidResults.formatG(row.get("kid_mean").getAsDouble()),
          FidResults.formatG(row.get("kid_std").getAsDouble())));
    } else {
      b.append(", KID skipped (--ref has no 'features'; see cdm ref --features)");
    }
    if (row.has("metrics")) {
      row.getAsJsonObject("metrics").entrySet().forEach(e -> b.append(", ").append(e.getKey())
          .append(' ').append(FidResults.formatG(e.getValue().getAsDouble())));
    }
    double secs = row.get("seconds").getAsDouble();
    long images = row.get("generated").getAsLong();
    b.append(String.format(Locale.ROOT, "; %d images generated and scored in %.1f s (%.1f img/s)",
        images, secs, images / Math.max(secs, 1e-9)));
    return b.toString();
  }

  private static JsonArray array(double[] v) {
    JsonArray a = new JsonArray();
    for (double x : v) {
      a.add(x);
    }
    return a;
  }

  private static double mean(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s / v.length;
  }
}

package dev.cdm.pipelines.evaluate;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.cdm.fid.Detector;
import dev.cdm.model.sampling.SamplerSpec;
import dev.cdm.model.training.KimgFileName;
import dev.cdm.pipelines.fid.FidResults;
import dev.cdm.transforms.evaluate.RepeatScores;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One line of {@code results.jsonl}: a snapshot's scores (FID per repeat, min, mean, std; IS and
 * KID when defined; extra metrics), what was generated, how long it took and the sampler settings,
 * and its one-line summary for the log.
 */
final class ResultRow {
  private ResultRow() {}

  /** The grid of a snapshot (by file name), relative to the output folder. */
  static String gridName(String snapshotName) {
    int dot = snapshotName.lastIndexOf('.');
    return "grids/" + (dot > 0 ? snapshotName.substring(0, dot) : snapshotName) + ".png";
  }

  static JsonObject of(
      EvaluateJob job,
      Snapshot s,
      List<RepeatScores> repeats,
      Map<String, Double> metrics,
      double seconds) {
    JsonObject o = new JsonObject();
    o.addProperty("snapshot", s.name());
    o.addProperty("kimg", KimgFileName.jsonNumber(s.kimg()));
    o.addProperty(FID_NAME, Detector.isMnist(job.detector()) ? "FID-MNIST" : "FID");
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
    o.add("sampler", sampler(job));
    o.addProperty("grid", gridName(s.name()));
    o.addProperty("timestamp", System.currentTimeMillis() / 1000.0);
    return o;
  }

  private static JsonObject sampler(EvaluateJob job) {
    SamplerSpec spec = job.sampler();
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

  /** The row's key for what its FID is called: FID-MNIST with the MNIST classifier as detector. */
  static final String FID_NAME = "fid_name";

  /** What the FID of {@code row} is called ("FID" for rows written before the name was stored). */
  static String fidName(JsonObject row) {
    return row.has(FID_NAME) ? row.get(FID_NAME).getAsString() : "FID";
  }

  /** The per-snapshot summary line. */
  static String summary(JsonObject row) {
    StringBuilder b =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "%s kimg %s: %s %s",
                row.get("snapshot").getAsString(),
                KimgFileName.text(row.get("kimg").getAsDouble()),
                fidName(row),
                FidResults.formatG(row.get("fid_mean").getAsDouble())));
    if (row.get("repeats").getAsInt() > 1) {
      b.append(
          String.format(
              Locale.ROOT,
              " +- %s (min %s)",
              FidResults.formatG(row.get("fid_std").getAsDouble()),
              FidResults.formatG(row.get("fid_min").getAsDouble())));
    }
    if (row.has("is_mean")) {
      b.append(
          String.format(
              Locale.ROOT,
              ", IS %s +- %s",
              FidResults.formatG(row.get("is_mean").getAsDouble()),
              FidResults.formatG(row.get("is_std").getAsDouble())));
    } else {
      b.append(", IS skipped (the detector has no class probabilities, or --num < 10)");
    }
    if (row.has("kid_mean")) {
      b.append(
          String.format(
              Locale.ROOT,
              ", KID %s +- %s",
              FidResults.formatG(row.get("kid_mean").getAsDouble()),
              FidResults.formatG(row.get("kid_std").getAsDouble())));
    } else {
      b.append(", KID skipped (--ref has no 'features'; see cdm ref --features)");
    }
    if (row.has("metrics")) {
      row.getAsJsonObject("metrics")
          .entrySet()
          .forEach(
              e ->
                  b.append(", ")
                      .append(e.getKey())
                      .append(' ')
                      .append(FidResults.formatG(e.getValue().getAsDouble())));
    }
    double secs = row.get("seconds").getAsDouble();
    long images = row.get("generated").getAsLong();
    b.append(
        String.format(
            Locale.ROOT,
            "; %d images generated and scored in %.1f s (%.1f img/s)",
            images,
            secs,
            images / Math.max(secs, 1e-9)));
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

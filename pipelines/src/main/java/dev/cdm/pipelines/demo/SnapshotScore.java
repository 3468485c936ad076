package dev.cdm.pipelines.demo;

import com.google.gson.JsonObject;
import dev.cdm.transforms.evaluate.ClassAccuracy;

/**
 * What one snapshot scored in the demo, read from its row of {@code cdm evaluate}'s {@code
 * results.jsonl}: FID-MNIST, the classifier's accuracy overall and per class (NaN for a class
 * without samples), the class grid (relative to the demo's folder) and the time taken. {@code kimg}
 * is -1 for the untrained network.
 */
record SnapshotScore(
    String snapshot,
    double kimg,
    double fidMnist,
    long images,
    double accuracy,
    double[] classAccuracy,
    String grid,
    double seconds) {

  static SnapshotScore of(JsonObject row, String snapshot, double kimg, String grid, int classes) {
    JsonObject metrics = row.has("metrics") ? row.getAsJsonObject("metrics") : new JsonObject();
    double[] perClass = new double[classes];
    for (int c = 0; c < classes; c++) {
      String key = ClassAccuracy.NAME + "/" + c;
      perClass[c] = metrics.has(key) ? metrics.get(key).getAsDouble() : Double.NaN;
    }
    double accuracy =
        metrics.has(ClassAccuracy.NAME)
            ? metrics.get(ClassAccuracy.NAME).getAsDouble()
            : Double.NaN;
    return new SnapshotScore(
        snapshot,
        kimg,
        row.get("fid_mean").getAsDouble(),
        row.get("images").getAsLong(),
        accuracy,
        perClass,
        grid,
        row.get("seconds").getAsDouble());
  }
}

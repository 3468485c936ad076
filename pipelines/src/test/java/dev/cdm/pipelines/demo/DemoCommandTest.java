package dev.cdm.pipelines.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.cdm.pipelines.Cdm;
import dev.cdm.pipelines.evaluate.ResultsLog;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A shortened {@code cdm demo} on the repository's MNIST files, end to end, then run again. */
@Tag("slow")
class DemoCommandTest {
  static Path mnistDir() {
    Path p = Path.of("..", "data", "mnist");
    return (Files.isDirectory(p) ? p : Path.of("data", "mnist")).toAbsolutePath().normalize();
  }

  @Test
  void shortDemoWritesEveryArtefactAndTrainedBeatsUntrained(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("demo");
    String[] args = {
      "demo", "--outdir=" + out, "--minutes=2", "--max-images=10000", "--mnist=" + mnistDir()
    };
    assertEquals(0, Cdm.commandLine().execute(args));

    assertTrue(Files.isRegularFile(out.resolve("mnist-32x32.zip")));
    assertTrue(Files.isRegularFile(out.resolve("mnist-ref-fid-mnist.npz")));
    assertTrue(Files.isRegularFile(out.resolve("training/DONE")));
    assertTrue(Files.isRegularFile(out.resolve("training/stats.jsonl")));
    List<Path> snapshots = DemoCommand.chooseSnapshots(out.resolve("training"), 100);
    assertTrue(snapshots.size() >= 2, "a tick-0 and a final snapshot at least: " + snapshots);
    assertTrue(Files.isRegularFile(out.resolve("training/EDM-DONE")), "the EDM stage ran first");
    Path last = snapshots.get(snapshots.size() - 1);
    String name = last.getFileName().toString().replace(".safetensors", "");
    // One evaluation path: cdm evaluate's results.jsonl, with the class accuracy as extra metric.
    Map<String, JsonObject> rows = new HashMap<>();
    for (JsonObject row : new ResultsLog(out.resolve("eval").toString()).rows()) {
      rows.put(row.get("snapshot").getAsString(), row);
    }
    JsonObject untrained = rows.get("untrained.safetensors");
    JsonObject trained = rows.get(name + ".safetensors");
    assertTrue(
        untrained != null && trained != null,
        "rows of the untrained and the final snapshot: " + rows.keySet());
    assertTrue(Files.size(out.resolve("eval/class-grids/untrained.png")) > 0);
    assertTrue(Files.size(out.resolve("eval/class-grids/" + name + ".png")) > 0);
    assertTrue(Files.size(out.resolve("eval/grids/" + name + ".png")) > 0);
    SnapshotScore score = SnapshotScore.of(trained, name, 1, "g", 10);
    assertEquals(
        10,
        Arrays.stream(score.classAccuracy()).filter(a -> !Double.isNaN(a)).count(),
        "an accuracy for every class: " + trained);
    assertTrue(score.accuracy() >= 0 && score.accuracy() <= 1, trained.toString());
    double fidTrained = trained.get("fid_mean").getAsDouble();
    double fidUntrained = untrained.get("fid_mean").getAsDouble();
    assertTrue(
        fidTrained < fidUntrained,
        "FID-MNIST trained " + fidTrained + " should be below untrained " + fidUntrained);
    String report = Files.readString(out.resolve("report.html"), StandardCharsets.UTF_8);
    assertTrue(
        report.contains("FID-MNIST")
            && report.contains("eval/class-grids/" + name + ".png")
            && report.contains("<svg"),
        "report.html lacks the chart, grid or label");
    String evalReport = Files.readString(out.resolve("eval/report.html"), StandardCharsets.UTF_8);
    assertTrue(evalReport.contains("<th>FID-MNIST mean</th>"), "eval/report.html: not FID-MNIST");

    // A second run reuses everything that is done.
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream old = System.out;
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    long t0 = System.nanoTime();
    try {
      assertEquals(0, Cdm.commandLine().execute(args));
    } finally {
      System.setOut(old);
    }
    String again = buf.toString(StandardCharsets.UTF_8);
    assertTrue(
        again.contains("reusing " + out.resolve("mnist-32x32.zip"))
            && again.contains("reusing " + out.resolve("training"))
            && again.contains("reusing the evaluation of " + name),
        again);
    assertTrue(
        (System.nanoTime() - t0) / 1e9 < 60, "the second run should only rewrite the report");
  }
}

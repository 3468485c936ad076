package dev.cdm.pipelines.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cdm.pipelines.Cdm;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
    String[] args = {"demo", "--outdir=" + out, "--minutes=2", "--max-images=10000", "--mnist=" + mnistDir()};
    assertEquals(0, Cdm.commandLine().execute(args));

    assertTrue(Files.isRegularFile(out.resolve("mnist-32x32.zip")));
    assertTrue(Files.isRegularFile(out.resolve("mnist-ref-fid-mnist.npz")));
    assertTrue(Files.isRegularFile(out.resolve("training/DONE")));
    assertTrue(Files.isRegularFile(out.resolve("training/stats.jsonl")));
    List<Path> snapshots = DemoCommand.chooseSnapshots(out.resolve("training"), 100);
    assertTrue(snapshots.size() >= 2, "a tick-0 and a final snapshot at least: " + snapshots);
    SnapshotEvaluation.Result untrained = SnapshotEvaluation.Result.read(out.resolve("eval/untrained.json"));
    Path last = snapshots.get(snapshots.size() - 1);
    String name = last.getFileName().toString().replace(".safetensors", "");
    SnapshotEvaluation.Result trained = SnapshotEvaluation.Result.read(out.resolve("eval/" + name + ".json"));
    assertTrue(Files.size(out.resolve("eval/untrained.png")) > 0);
    assertTrue(Files.size(out.resolve("eval/" + name + ".png")) > 0);
    assertEquals(10, trained.classAccuracy().length);
    assertTrue(trained.kimg() > 0);
    assertTrue(trained.fidMnist() < untrained.fidMnist(),
        "FID-MNIST trained " + trained.fidMnist() + " should be below untrained " + untrained.fidMnist());
    String report = Files.readString(out.resolve("report.html"), StandardCharsets.UTF_8);
    assertTrue(report.contains("FID-MNIST") && report.contains("eval/" + name + ".png")
        && report.contains("<svg"), "report.html lacks the chart, grid or label");

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
    assertTrue(again.contains("reusing " + out.resolve("mnist-32x32.zip"))
        && again.contains("reusing " + out.resolve("training"))
        && again.contains("reusing " + out.resolve("eval/" + name + ".json")), again);
    assertTrue((System.nanoTime() - t0) / 1e9 < 60, "the second run should only rewrite the report");
  }
}

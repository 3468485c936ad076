package dev.cdm.pipelines.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory does not grow with the dataset: all 60,000 MNIST images go into one ZIP in a JVM whose
 * heap (40 MB) is barely more than an empty Beam pipeline needs. A design that kept per-image state
 * (a list of labels, java.util.zip's per-entry table, whole-dataset PCollections) fails here.
 */
class DatasetBoundedMemoryTest {
  @TempDir Path tmp;

  @Test
  @Tag("slow")
  void sixtyThousandImagesInFortyMegabytes() throws Exception {
    Path dest = tmp.resolve("mnist.zip");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd =
        List.of(
            java,
            "-Xmx40m",
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-cp",
            System.getProperty("java.class.path"),
            "dev.cdm.pipelines.Cdm",
            "dataset",
            "--source=" + DatasetTestData.mnistDir().resolve("train-images-idx3-ubyte.gz"),
            "--dest=" + dest);
    File log = tmp.resolve("log.txt").toFile();
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
    // An out-of-memory worker can leave a local runner waiting forever: bound the wait.
    boolean done = p.waitFor(300, TimeUnit.SECONDS);
    if (!done) {
      p.destroyForcibly();
    }
    String out = Files.readString(log.toPath());
    assertTrue(done, "timed out:\n" + out);
    assertEquals(0, p.exitValue(), out);
    try (ZipFile z = new ZipFile(dest.toFile())) {
      assertEquals(60_001, z.size());
      assertTrue(z.getEntry("00059/img00059999.png") != null);
    }
  }
}

package dev.cdm.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cdm generate} and {@code cdm dataset} end with one line of their Beam counters on stderr
 * (fid, ref: FidCommandsTest; evaluate: EvaluateCountersTest).
 */
public class CountersLineTest {
  @TempDir Path tmp;

  /** The one counters line of {@code err}, checked against {@code regex}. */
  public static String assertOneCountersLine(String err, String regex) {
    List<String> lines =
        err.lines().filter(l -> l.startsWith("counters:")).collect(Collectors.toList());
    assertEquals(1, lines.size(), err);
    assertTrue(lines.get(0).matches(regex), lines.get(0));
    return lines.get(0);
  }

  @Test
  void generateCountsImagesMadeAndWritten() throws Exception {
    UserErrorsTest.Run r =
        UserErrorsTest.cdm(
            "generate",
            "--network=" + UserErrorsTest.fixture("ddpmpp-cdm-gray.pkl"),
            "--outdir=" + tmp.resolve("out"),
            "--seeds=0-3",
            "--batch=2",
            "--steps=2",
            "--device=cpu");
    assertEquals(0, r.rc(), r.err());
    assertOneCountersLine(
        r.err(), "counters: generate\\.images=4 write\\.images=4 write\\.bytes=[1-9]\\d*");
  }

  @Test
  void datasetCountsImagesConverted() throws Exception {
    UserErrorsTest.Run r =
        UserErrorsTest.cdm(
            "dataset",
            "--source=" + UserErrorsTest.mnist(),
            "--dest=" + tmp.resolve("d.zip"),
            "--max-images=20",
            "--shard-size=8");
    assertEquals(0, r.rc(), r.err());
    assertOneCountersLine(r.err(), "counters: dataset\\.images=20 dataset\\.bytes=[1-9]\\d*");
  }
}

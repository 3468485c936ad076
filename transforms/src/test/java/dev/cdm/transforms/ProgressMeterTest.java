package dev.cdm.transforms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ProgressMeterTest {
  @Test
  void oneLineAfterTheFirstBatchThenAtTheEndWithRateAndEta() {
    PrintStream old = System.err;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      ProgressMeter m = ProgressMeter.of("test-run/generate", "generate out", "images", 256);
      m.add(64); // first batch: a line at once
      m.add(64); // within the interval: quiet
      m.add(128); // the total: a line
      m.add(1); // past the total: quiet
    } finally {
      System.setErr(old);
      ProgressMeter.release("test-run");
    }
    List<String> lines = buf.toString(StandardCharsets.UTF_8).lines().collect(Collectors.toList());
    assertEquals(2, lines.size(), lines.toString());
    assertTrue(
        lines
            .get(0)
            .matches(
                "generate out: 64/256 images \\(25%\\), [0-9.]+ images/s, elapsed \\d+s, ETA \\d+s"),
        lines.get(0));
    assertTrue(lines.get(1).startsWith("generate out: 256/256 images (100%), "), lines.get(1));
    assertTrue(lines.get(1).endsWith("ETA 0s"), lines.get(1));
  }

  @Test
  void durationsReadLikeAClock() {
    assertEquals("42s", ProgressMeter.formatSeconds(42));
    assertEquals("3m05s", ProgressMeter.formatSeconds(185));
    assertEquals("2h07m", ProgressMeter.formatSeconds(2 * 3600 + 7 * 60 + 30));
  }
}

package dev.cdm.pipelines.example;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cdm.pipelines.Cdm;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExampleCommandTest {
  @Test
  void writesAGridOfGridwByGridhImages(@TempDir Path out) throws Exception {
    Path net = Path.of(getClass().getResource("/fixtures/ddpmpp-edm-cond.pkl").toURI());
    Path a = out.resolve("a.png");
    Path b = out.resolve("b.png");
    for (Path p : new Path[] {a, b}) {
      int rc =
          Cdm.commandLine()
              .execute(
                  "example",
                  "--network=" + net,
                  "--output_path=" + p,
                  "--gridw=3",
                  "--gridh=2",
                  "--steps=3",
                  "--sampler=heun");
      assertEquals(0, rc);
    }
    int[] hwc = new int[3];
    byte[] px = decodeHwc(Files.readAllBytes(a), hwc);
    assertArrayEquals(new int[] {2 * 16, 3 * 16, 3}, hwc);
    // One manual_seed: the same grid every time; different tiles within it.
    assertArrayEquals(px, decodeHwc(Files.readAllBytes(b), new int[3]));
    int w = 3 * 16 * 3;
    boolean tilesDiffer = false;
    for (int y = 0; y < 16 && !tilesDiffer; y++) {
      for (int x = 0; x < 16 * 3; x++) {
        if (px[y * w + x] != px[y * w + 16 * 3 + x]) {
          tilesDiffer = true;
          break;
        }
      }
    }
    assertTrue(tilesDiffer);
    try (var files = Files.list(out)) {
      assertEquals(2, files.count()); // no temporaries left behind
    }
  }

  /** The pixels of a PNG ([H, W, C] bytes), its shape into {@code hwc}. */
  private static byte[] decodeHwc(byte[] png, int[] hwc) throws Exception {
    dev.cdm.model.data.Pixels p = dev.cdm.model.data.PngCodec.decode(png, "png");
    hwc[0] = p.height();
    hwc[1] = p.width();
    hwc[2] = p.channels();
    return p.data();
  }
}

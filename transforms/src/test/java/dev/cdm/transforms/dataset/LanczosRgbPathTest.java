package dev.cdm.transforms.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cdm.model.data.Pixels;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The RGB resize path (R and G packed in one long per multiply) must give exactly the pixels of
 * resizing each channel on its own with the per-channel path, which the fixtures check against
 * Pillow: down- and up-scaling, one pass or both, odd sizes, and images with saturated pixels where
 * the negative lobes push sums below 0 and above 255.
 */
class LanczosRgbPathTest {
  @Test
  void packedRgbEqualsThreeSeparateChannels() {
    Random rnd = new Random(7);
    int[][] sizes = {
      {256, 256, 64, 64},
      {31, 17, 8, 5},
      {17, 31, 40, 29},
      {50, 40, 50, 13},
      {50, 40, 7, 40},
      {9, 9, 100, 3},
      {1, 5, 3, 1},
      {300, 200, 299, 201}
    };
    for (int[] s : sizes) {
      for (boolean harsh : new boolean[] {false, true}) {
        Pixels rgb = randomRgb(rnd, s[0], s[1], harsh);
        Pixels fast = LanczosResampler.resize(rgb, s[2], s[3]);
        byte[] expected = new byte[s[2] * s[3] * 3];
        for (int c = 0; c < 3; c++) {
          Pixels one = LanczosResampler.resize(channel(rgb, c), s[2], s[3]);
          assertEquals(1, one.channels());
          for (int i = 0; i < s[2] * s[3]; i++) {
            expected[i * 3 + c] = one.data()[i];
          }
        }
        assertEquals(3, fast.channels());
        assertArrayEquals(
            expected,
            fast.data(),
            s[0] + "x" + s[1] + " -> " + s[2] + "x" + s[3] + (harsh ? " (saturated)" : ""));
      }
    }
  }

  private static Pixels randomRgb(Random rnd, int w, int h, boolean harsh) {
    byte[] d = new byte[w * h * 3];
    for (int i = 0; i < d.length; i++) {
      d[i] = (byte) (harsh ? (rnd.nextBoolean() ? 255 : 0) : rnd.nextInt(256));
    }
    return new Pixels(w, h, 3, d);
  }

  private static Pixels channel(Pixels rgb, int c) {
    byte[] d = new byte[rgb.width() * rgb.height()];
    for (int i = 0; i < d.length; i++) {
      d[i] = rgb.data()[i * 3 + c];
    }
    return new Pixels(rgb.width(), rgb.height(), 1, d);
  }
}

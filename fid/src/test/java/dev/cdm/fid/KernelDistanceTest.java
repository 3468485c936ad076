package dev.cdm.fid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class KernelDistanceTest {
  static float[] gaussian(int n, int d, double shift, Random rnd) {
    float[] f = new float[n * d];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) (rnd.nextGaussian() + shift);
    }
    return f;
  }

  /** The unbiased MMD^2 of whole sets, written out with loops. */
  static double direct(float[] x, float[] y, int m, int d) {
    double kxx = 0;
    double kyy = 0;
    double kxy = 0;
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < m; j++) {
        if (i != j) {
          kxx += k(x, i, x, j, d);
          kyy += k(y, i, y, j, d);
        }
        kxy += k(x, i, y, j, d);
      }
    }
    return (kxx + kyy) / ((double) m * (m - 1)) - 2 * kxy / ((double) m * m);
  }

  static double k(float[] a, int i, float[] b, int j, int d) {
    double dot = 0;
    for (int t = 0; t < d; t++) {
      dot += (double) a[i * d + t] * b[j * d + t];
    }
    return Math.pow(dot / d + 1, 3);
  }

  @Test
  void wholeSetSubsetsEqualTheDirectEstimate() {
    // Subsets of all rows: every subset is a permutation, so each estimate is the direct one.
    int n = 30;
    int d = 8;
    Random rnd = new Random(2);
    float[] a = gaussian(n, d, 0, rnd);
    float[] b = gaussian(n, d, 0.5, rnd);
    double expected = direct(b, a, n, d);
    double[] got = KernelDistance.between(a, n, b, n, d, 3, 1000, 7);
    // float32 Gram products, as clean-fid's: close to the float64 loops.
    assertEquals(expected, got[0], 1e-5 * Math.abs(expected));
    assertEquals(0, got[1], 1e-5 * Math.abs(expected));
  }

  @Test
  void unbiasedNearZeroForOneDistributionAndPositiveForTwo() {
    int d = 16;
    Random rnd = new Random(3);
    float[] a = gaussian(400, d, 0, rnd);
    float[] same = gaussian(300, d, 0, rnd);
    float[] shifted = gaussian(300, d, 0.3, rnd);
    double[] s = KernelDistance.between(same, 300, a, 400, d, 20, 100, 1);
    double[] t = KernelDistance.between(shifted, 300, a, 400, d, 20, 100, 1);
    assertTrue(Math.abs(s[0]) < 3 * s[1] / Math.sqrt(20) + 1e-3, s[0] + " +- " + s[1]);
    assertTrue(t[0] > 10 * Math.abs(s[0]) && t[0] > 0, t[0] + " vs " + s[0]);
    // The same seed gives the same subsets.
    assertEquals(t[0], KernelDistance.between(shifted, 300, a, 400, d, 20, 100, 1)[0]);
  }
}

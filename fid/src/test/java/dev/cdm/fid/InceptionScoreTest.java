package dev.cdm.fid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

class InceptionScoreTest {
  /** StyleGAN2-ADA's inception_score.py, written out directly over all probabilities. */
  static double[] direct(float[][] probs, int splits) {
    int n = probs.length;
    int c = probs[0].length;
    double[] scores = new double[splits];
    for (int i = 0; i < splits; i++) {
      int lo = i * n / splits;
      int hi = (i + 1) * n / splits;
      double[] mean = new double[c];
      for (int k = lo; k < hi; k++) {
        for (int j = 0; j < c; j++) {
          mean[j] += probs[k][j] / (double) (hi - lo);
        }
      }
      double kl = 0;
      for (int k = lo; k < hi; k++) {
        for (int j = 0; j < c; j++) {
          kl += probs[k][j] * (Math.log(probs[k][j]) - Math.log(mean[j]));
        }
      }
      scores[i] = Math.exp(kl / (hi - lo));
    }
    double m = 0;
    for (double s : scores) {
      m += s / splits;
    }
    double v = 0;
    for (double s : scores) {
      v += (s - m) * (s - m) / splits;
    }
    return new double[] {m, Math.sqrt(v)};
  }

  static float[][] softmaxRows(int n, int c, Random rnd) {
    float[][] p = new float[n][c];
    for (int i = 0; i < n; i++) {
      double z = 0;
      double[] e = new double[c];
      for (int j = 0; j < c; j++) {
        e[j] = Math.exp(3 * rnd.nextGaussian());
        z += e[j];
      }
      for (int j = 0; j < c; j++) {
        p[i][j] = (float) (e[j] / z);
      }
    }
    return p;
  }

  @Test
  void mergedSumsInAnyOrderMatchTheReferenceFormula() {
    int n = 103; // not a multiple of 10: uneven parts as the reference slices them
    float[][] probs = softmaxRows(n, 7, new Random(1));
    double[] expected = direct(probs, 10);
    // Two workers, images in a scrambled order, each knowing only its images' positions.
    InceptionScore a = new InceptionScore(10);
    InceptionScore b = new InceptionScore(10);
    for (int k = n - 1; k >= 0; k--) {
      (k % 3 == 0 ? a : b).add(InceptionScore.part(k, n, 10), probs[k]);
    }
    double[] got = new InceptionScore(10).merge(b).merge(a).meanStd();
    assertEquals(expected[0], got[0], 1e-9 * expected[0]);
    assertEquals(expected[1], got[1], 1e-9 * expected[0]);
    assertEquals(n, a.count() + b.count());
  }

  @Test
  void knownScores() {
    // Every image certain of one class, k classes used equally in each part: IS = k exactly.
    InceptionScore s = new InceptionScore(2);
    for (int i = 0; i < 40; i++) {
      float[] p = new float[5];
      p[i % 4] = 1;
      s.add(InceptionScore.part(i, 40, 2), p);
    }
    assertEquals(4, s.meanStd()[0], 1e-12);
    assertEquals(0, s.meanStd()[1], 1e-12);
    // Identical predictions carry no information: IS = 1.
    InceptionScore u = new InceptionScore(1);
    u.add(0, new float[] {0.2f, 0.3f, 0.5f});
    u.add(0, new float[] {0.2f, 0.3f, 0.5f});
    assertEquals(1, u.meanStd()[0], 1e-6);
  }

  @Test
  void partsFollowTheReferenceSlicing() {
    for (int n : new int[] {10, 11, 19, 103, 50000}) {
      for (int k = 0; k < n; k++) {
        int p = InceptionScore.part(k, n, 10);
        assertEquals(true, p * n / 10 <= k && k < (p + 1) * n / 10, n + " " + k + " -> " + p);
      }
    }
  }

  @Test
  void tooFewImagesIsAClearError() {
    InceptionScore s = new InceptionScore(10);
    s.add(0, new float[] {1f});
    IllegalStateException e = assertThrows(IllegalStateException.class, s::meanStd);
    assertEquals(true, e.getMessage().contains("part 1 of 10 has no images"), e.getMessage());
  }
}

package dev.cdm.fid;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SymmetricEigenvaluesTest {
  /** A random orthogonal matrix (Gram-Schmidt of a Gaussian matrix), row-major. */
  static double[] randomOrthogonal(int n, Random rnd) {
    double[][] v = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        v[i][j] = rnd.nextGaussian();
      }
      for (int pass = 0; pass < 2; pass++) {
        for (int k = 0; k < i; k++) {
          double dot = 0;
          for (int j = 0; j < n; j++) {
            dot += v[i][j] * v[k][j];
          }
          for (int j = 0; j < n; j++) {
            v[i][j] -= dot * v[k][j];
          }
        }
      }
      double norm = 0;
      for (int j = 0; j < n; j++) {
        norm += v[i][j] * v[i][j];
      }
      norm = Math.sqrt(norm);
      for (int j = 0; j < n; j++) {
        v[i][j] /= norm;
      }
    }
    double[] q = new double[n * n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(v[i], 0, q, i * n, n);
    }
    return q;
  }

  /** Q^T diag(lambda) Q, symmetrised. */
  static double[] compose(double[] q, double[] lambda, int n) {
    double[] a = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j <= i; j++) {
        double s = 0;
        for (int k = 0; k < n; k++) {
          s += q[k * n + i] * lambda[k] * q[k * n + j];
        }
        a[i * n + j] = s;
        a[j * n + i] = s;
      }
    }
    return a;
  }

  @Test
  void recoversKnownSpectrumWithRepeatsAndZeros() {
    int n = 50;
    Random rnd = new Random(1);
    double[] lambda = new double[n];
    for (int i = 0; i < n; i++) {
      lambda[i] = i < 5 ? 0 : (i < 10 ? 2.5 : rnd.nextGaussian() * 10);
    }
    double[] a = compose(randomOrthogonal(n, rnd), lambda, n);
    double[] got = SymmetricEigenvalues.of(a, n);
    double[] want = lambda.clone();
    Arrays.sort(want);
    assertArrayEquals(want, got, 1e-11 * 40);
  }

  /** Large enough (n > 256) that the row loops run in parallel chunks. */
  @Test
  void parallelPathsMatchKnownSpectrumAndFactor() {
    int n = 600;
    Random rnd = new Random(5);
    double[] lambda = new double[n];
    for (int i = 0; i < n; i++) {
      lambda[i] = i < 100 ? 0 : Math.pow(10, -6 + 8 * rnd.nextDouble());
    }
    double[] a = compose(randomOrthogonal(n, rnd), lambda, n);
    double[] got = SymmetricEigenvalues.of(a, n);
    double[] want = lambda.clone();
    Arrays.sort(want);
    assertArrayEquals(want, got, 1e-11 * 100 * n);
    PivotedCholesky c = PivotedCholesky.of(a, n);
    assertEquals(n - 100, c.rank(), 3);
    // Spot-check L L^T = A on a few entries.
    int r = c.rank();
    for (int t = 0; t < 50; t++) {
      int i = rnd.nextInt(n);
      int j = rnd.nextInt(n);
      double s = 0;
      for (int k = 0; k < r; k++) {
        s += c.factor()[i * r + k] * c.factor()[j * r + k];
      }
      assertEquals(a[i * n + j], s, 1e-9);
    }
  }

  @Test
  void smallAndDiagonalCases() {
    assertArrayEquals(new double[] {7}, SymmetricEigenvalues.of(new double[] {7}, 1), 0);
    assertArrayEquals(
        new double[] {1, 3}, SymmetricEigenvalues.of(new double[] {2, 1, 1, 2}, 2), 1e-14);
    assertArrayEquals(
        new double[] {-1, 0, 4},
        SymmetricEigenvalues.of(new double[] {4, 0, 0, 0, -1, 0, 0, 0, 0}, 3),
        0);
    assertEquals(0, SymmetricEigenvalues.of(new double[0], 0).length);
  }

  @Test
  void pivotedCholeskyReconstructsSingularMatrix() {
    int n = 30;
    Random rnd = new Random(2);
    double[] lambda = new double[n];
    for (int i = 0; i < n; i++) {
      lambda[i] = i < 12 ? 0 : rnd.nextDouble() * 5 + 0.1;
    }
    double[] a = compose(randomOrthogonal(n, rnd), lambda, n);
    PivotedCholesky c = PivotedCholesky.of(a, n);
    assertEquals(n - 12, c.rank());
    double[] l = c.factor();
    int r = c.rank();
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int k = 0; k < r; k++) {
          s += l[i * r + k] * l[j * r + k];
        }
        assertEquals(a[i * n + j], s, 1e-12 * 10);
      }
    }
  }
}

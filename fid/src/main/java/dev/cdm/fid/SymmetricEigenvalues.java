package dev.cdm.fid;

import java.util.Arrays;

/**
 * Eigenvalues of a real symmetric matrix in float64: Householder reduction to tridiagonal form,
 * then the implicit QL method with Wilkinson-style shifts (the EISPACK tred2/tql2 pair), without
 * eigenvectors, since the Fréchet distance needs only the spectrum. Backward stable: the computed
 * eigenvalues are exact for a matrix within a few ulps (relative to its norm) of the input.
 *
 * <p>The working matrix is traversed along rows (contiguous in Java) in every inner loop.
 */
public final class SymmetricEigenvalues {
  private static final double EPS = Math.ulp(1.0);
  private static final int MAX_SWEEPS_PER_EIGENVALUE = 60;

  private SymmetricEigenvalues() {}

  /** The eigenvalues of symmetric row-major {@code a} [n*n], ascending. {@code a} is untouched. */
  public static double[] of(double[] a, int n) {
    if ((long) n * n != a.length) {
      throw new IllegalArgumentException(a.length + " values are not a " + n + "x" + n + " matrix");
    }
    if (n == 0) {
      return new double[0];
    }
    double[][] w = new double[n][];
    for (int i = 0; i < n; i++) {
      w[i] = Arrays.copyOfRange(a, i * n, (i + 1) * n);
    }
    double[] d = new double[n];
    double[] e = new double[n];
    tridiagonalize(w, d, e);
    qlImplicit(d, e);
    Arrays.sort(d);
    return d;
  }

  /**
   * Householder reduction of symmetric {@code w} (rows; only used as workspace afterwards) to a
   * tridiagonal matrix with diagonal {@code d} and sub-diagonal {@code e[1..n-1]} ({@code e[0] =
   * 0}). Works on the last row first; {@code w[j][k]} for k in [j, i) is the transposed view of the
   * lower triangle that still has to be reduced.
   */
  static void tridiagonalize(double[][] w, double[] d, double[] e) {
    int n = d.length;
    for (int j = 0; j < n; j++) {
      d[j] = w[j][n - 1];
    }
    for (int i = n - 1; i > 0; i--) {
      double scale = 0;
      double h = 0;
      for (int k = 0; k < i; k++) {
        scale += Math.abs(d[k]);
      }
      if (scale == 0) {
        // Row i is already reduced: nothing to annihilate.
        e[i] = d[i - 1];
        for (int j = 0; j < i; j++) {
          d[j] = w[j][i - 1];
          w[j][i] = 0;
          w[i][j] = 0;
        }
      } else {
        // Householder vector from row i, scaled to avoid under/overflow.
        for (int k = 0; k < i; k++) {
          d[k] /= scale;
          h += d[k] * d[k];
        }
        double f = d[i - 1];
        double g = Math.sqrt(h);
        if (f > 0) {
          g = -g;
        }
        e[i] = scale * g;
        h -= f * g;
        d[i - 1] = f - g;
        for (int j = 0; j < i; j++) {
          e[j] = 0;
        }
        // p = A u from the stored triangle (w[j][k] = A[k][j], k >= j): row j gives the dot
        // sum_k A[k][j] u_k and scatters A[k][j] u_j into p_k. Chunks of rows run in parallel,
        // each scattering into its own partial vector, summed afterwards.
        for (int j = 0; j < i; j++) {
          w[i][j] = d[j];
        }
        matVecLower(w, d, e, i);
        f = 0;
        for (int j = 0; j < i; j++) {
          e[j] /= h;
          f += e[j] * d[j];
        }
        double hh = f / (h + h);
        for (int j = 0; j < i; j++) {
          e[j] -= hh * d[j];
        }
        // Rank-2 update A -= u q^T + q u^T on the remaining triangle: rows are independent
        // (d is only read here, and written after all rows are done).
        final int rows = i;
        Parallel.forRange(
            0,
            rows,
            (lo, hi) -> {
              for (int j = lo; j < hi; j++) {
                double[] wj = w[j];
                double fj = d[j];
                double gj = e[j];
                for (int k = j; k < rows; k++) {
                  wj[k] -= fj * e[k] + gj * d[k];
                }
              }
            },
            (long) rows * rows);
        for (int j = 0; j < i; j++) {
          d[j] = w[j][i - 1];
          w[j][i] = 0;
        }
      }
      d[i] = h;
    }
    // The tridiagonal's diagonal stays on the working matrix's diagonal.
    for (int i = 0; i < n; i++) {
      d[i] = w[i][i];
    }
    e[0] = 0;
  }

  /**
   * {@code e[0..i) = A u} for the symmetric matrix whose lower triangle is stored transposed in
   * {@code w} ({@code w[j][k] = A[k][j]} for {@code j <= k < i}) and {@code u = d[0..i)}.
   */
  private static void matVecLower(double[][] w, double[] d, double[] e, int i) {
    int chunks = Parallel.chunks((long) i * i);
    double[][] partial = new double[chunks][];
    Parallel.forChunks(
        0,
        i,
        chunks,
        (c, lo, hi) -> {
          double[] scatter = new double[i];
          for (int j = lo; j < hi; j++) {
            double[] wj = w[j];
            double f = d[j];
            double g = wj[j] * f;
            for (int k = j + 1; k < i; k++) {
              g += wj[k] * d[k];
              scatter[k] += wj[k] * f;
            }
            scatter[j] += g;
          }
          partial[c] = scatter;
        });
    for (int k = 0; k < i; k++) {
      double sum = 0;
      for (int c = 0; c < chunks; c++) {
        sum += partial[c][k];
      }
      e[k] = sum;
    }
  }

  /** Implicit QL on the tridiagonal (d, e[1..n-1]); eigenvalues are left in d, unsorted. */
  static void qlImplicit(double[] d, double[] e) {
    int n = d.length;
    for (int i = 1; i < n; i++) {
      e[i - 1] = e[i];
    }
    e[n - 1] = 0;
    double f = 0;
    double tst1 = 0;
    for (int l = 0; l < n; l++) {
      tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
      int m = l;
      while (m < n - 1 && Math.abs(e[m]) > EPS * tst1) {
        m++;
      }
      if (m > l) {
        int sweeps = 0;
        do {
          if (++sweeps > MAX_SWEEPS_PER_EIGENVALUE) {
            throw new ArithmeticException(
                "symmetric eigenvalues: QL iteration did not converge (non-finite input?)");
          }
          // Shift from the leading 2x2 block.
          double g = d[l];
          double p = (d[l + 1] - g) / (2 * e[l]);
          double r = Math.hypot(p, 1);
          if (p < 0) {
            r = -r;
          }
          d[l] = e[l] / (p + r);
          d[l + 1] = e[l] * (p + r);
          double dl1 = d[l + 1];
          double h = g - d[l];
          for (int i = l + 2; i < n; i++) {
            d[i] -= h;
          }
          f += h;
          // Chase the bulge with Givens rotations from m-1 down to l.
          p = d[m];
          double c = 1;
          double c2 = c;
          double c3 = c;
          double el1 = e[l + 1];
          double s = 0;
          double s2 = 0;
          for (int i = m - 1; i >= l; i--) {
            c3 = c2;
            c2 = c;
            s2 = s;
            g = c * e[i];
            h = c * p;
            r = Math.hypot(p, e[i]);
            e[i + 1] = s * r;
            s = e[i] / r;
            c = p / r;
            p = c * d[i] - s * g;
            d[i + 1] = h + s * (c * g + s * d[i]);
          }
          p = -s * s2 * c3 * el1 * e[l] / dl1;
          e[l] = s * p;
          d[l] = c * p;
        } while (Math.abs(e[l]) > EPS * tst1);
      }
      d[l] += f;
      e[l] = 0;
    }
  }
}

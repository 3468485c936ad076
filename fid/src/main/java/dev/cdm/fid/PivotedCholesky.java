package dev.cdm.fid;

/**
 * A symmetric-pivoting Cholesky factor {@code S = L L^T} of a positive semi-definite matrix, with
 * {@code L} [n, rank] in the original row order. Stops at the numerical rank (the largest remaining
 * diagonal at or below {@code n * eps * max diag}, LAPACK {@code dpstrf}'s default), so singular
 * covariances factor without error.
 */
public final class PivotedCholesky {
  private final double[] factor; // [n, rank] row-major, rows in the input's order
  private final int rank;

  private PivotedCholesky(double[] factor, int rank) {
    this.factor = factor;
    this.rank = rank;
  }

  public int rank() {
    return rank;
  }

  /** {@code L} [n, rank], row-major, rows in the input's order. */
  public double[] factor() {
    return factor;
  }

  /** Factors symmetric PSD row-major {@code s} [n*n]; {@code s} is untouched. */
  public static PivotedCholesky of(double[] s, int n) {
    double[][] a = new double[n][];
    for (int i = 0; i < n; i++) {
      a[i] = java.util.Arrays.copyOfRange(s, i * n, (i + 1) * n);
    }
    int[] perm = new int[n];
    double maxDiag = 0;
    for (int i = 0; i < n; i++) {
      perm[i] = i;
      maxDiag = Math.max(maxDiag, a[i][i]);
    }
    double tol = n * Math.ulp(1.0) * maxDiag;
    // Column k of L lives in a[i][k] for i >= k (a is permuted symmetrically as we go).
    int rank = 0;
    double[] col = new double[n];
    for (int k = 0; k < n; k++) {
      int p = k;
      for (int i = k + 1; i < n; i++) {
        if (a[i][i] > a[p][p]) {
          p = i;
        }
      }
      if (!(a[p][p] > tol)) {
        break; // the rest is numerically zero (or negative by rounding)
      }
      if (p != k) {
        double[] row = a[p];
        a[p] = a[k];
        a[k] = row;
        for (double[] r : a) {
          double t = r[p];
          r[p] = r[k];
          r[k] = t;
        }
        int t = perm[p];
        perm[p] = perm[k];
        perm[k] = t;
      }
      double pivot = Math.sqrt(a[k][k]);
      a[k][k] = pivot;
      for (int i = k + 1; i < n; i++) {
        col[i] = a[i][k] / pivot;
        a[i][k] = col[i];
      }
      // Schur complement on the trailing block; kept symmetric so later swaps stay valid. Rows
      // are independent, so large trailing blocks are updated on all cores.
      final int from = k + 1;
      final double[][] rows = a;
      Parallel.forRange(
          from,
          n,
          (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
              double ci = col[i];
              double[] ai = rows[i];
              for (int j = from; j < n; j++) {
                ai[j] -= ci * col[j];
              }
            }
          },
          (long) (n - from) * (n - from));
      rank = k + 1;
    }
    double[] l = new double[n * rank];
    for (int i = 0; i < n; i++) {
      int row = perm[i] * rank;
      for (int k = 0; k < rank && k <= i; k++) {
        l[row + k] = a[i][k];
      }
    }
    return new PivotedCholesky(l, rank);
  }
}

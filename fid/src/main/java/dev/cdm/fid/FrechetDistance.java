package dev.cdm.fid;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * The Fréchet distance between two Gaussians, as the reference's {@code
 * calculate_fid_from_inception_stats}: {@code |mu1 - mu2|^2 + tr(S1) + tr(S2) - 2 tr sqrtm(S1 S2)},
 * real part.
 *
 * <p>Why not a general matrix square root: the reference takes scipy's Schur-based {@code sqrtm} of
 * the non-symmetric product and keeps the real part of the trace. The trace only depends on the
 * eigenvalues of {@code S1 S2}, which are those of the symmetric PSD matrix {@code L^T S2 L} for
 * any factor {@code S1 = L L^T}. A pivoted Cholesky factor exists for every PSD {@code S1},
 * including singular and ill-conditioned ones (fewer images than features), stopping at the
 * numerical rank; then {@code tr sqrtm = sum sqrt(max(lambda, 0))} over the symmetric eigenvalues,
 * where clipping tiny negative rounding errors to 0 matches taking the real part.
 */
public final class FrechetDistance {
  private FrechetDistance() {}

  /** The FID between {@code a} and {@code b}; an error names both dimensions when they differ. */
  public static double between(GaussianStatistics a, GaussianStatistics b) {
    if (a.dim() != b.dim()) {
      throw new IllegalArgumentException(
          "cannot compare statistics of feature dimension "
              + a.dim()
              + " with dimension "
              + b.dim()
              + " (computed with different detectors?)");
    }
    int n = a.dim();
    double m = 0;
    for (int i = 0; i < n; i++) {
      double diff = a.mu()[i] - b.mu()[i];
      m += diff * diff;
    }
    double traces = 0;
    for (int i = 0; i < n; i++) {
      traces += a.sigma()[i * n + i] + b.sigma()[i * n + i];
    }
    double fid = m + traces - 2 * traceSqrtOfProduct(a.sigma(), b.sigma(), n);
    if (!Double.isFinite(fid)) {
      throw new IllegalArgumentException(
          "the Frechet distance is "
              + fid
              + " (non-finite statistics:"
              + " mean term "
              + m
              + ", traces "
              + traces
              + ")");
    }
    return fid;
  }

  /** {@code tr sqrtm(S1 S2)} for symmetric PSD {@code s1}, {@code s2} (row-major n*n). */
  public static double traceSqrtOfProduct(double[] s1, double[] s2, int n) {
    PivotedCholesky chol = PivotedCholesky.of(s1, n);
    int r = chol.rank();
    if (r == 0) {
      return 0;
    }
    double[] product = congruence(chol.factor(), s2, n, r);
    double[] lambda = SymmetricEigenvalues.of(product, r);
    double trace = 0;
    for (double l : lambda) {
      trace += Math.sqrt(Math.max(l, 0));
    }
    return trace;
  }

  /**
   * {@code L^T S L} for {@code L} [n, r], symmetrised. Runs on the engine's float64 CPU matmul: two
   * 2048-sized products cost seconds in plain Java loops and milliseconds in BLAS.
   */
  private static double[] congruence(double[] l, double[] s, int n, int r) {
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      NDArray lm = manager.create(l, new Shape(n, r));
      NDArray sm = manager.create(s, new Shape(n, n));
      NDArray m = lm.transpose().matMul(sm.matMul(lm));
      m = m.add(m.transpose()).mul(0.5);
      if (m.getDataType() != DataType.FLOAT64) {
        throw new IllegalStateException("expected a float64 product, got " + m.getDataType());
      }
      return m.toDoubleArray();
    }
  }
}

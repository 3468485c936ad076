package dev.cdm.fid;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/**
 * The Kernel Inception Distance (Binkowski et al. 2018) as clean-fid's {@code kernel_distance} and
 * torch-fidelity compute it: the unbiased estimate of MMD^2 between two feature sets under the
 * cubic polynomial kernel {@code k(x, y) = (x.y / d + 1)^3}, averaged over {@code subsets} random
 * subsets of {@code m = min(n1, n2, maxSubsetSize)} rows of each set drawn without replacement:
 *
 * <pre>
 *   mmd = [sum_{i!=j} k(x_i, x_j) + sum_{i!=j} k(y_i, y_j)] / (m (m - 1)) - 2 sum_{i,j} k(x_i, y_j) / m^2
 * </pre>
 *
 * Unlike FID it has an unbiased estimator, so it stays comparable at small sample sizes. The
 * subsets come from a seeded generator (not NumPy's), so values match clean-fid's in distribution,
 * not bit for bit. The Gram matrices are float32 products, as clean-fid's NumPy products of float32
 * features, on the given device (100 subsets of 1000 x 2048 features are 600 GFLOP: seconds on a
 * GPU, minutes on a few CPU cores); the kernel values are summed in float64.
 */
public final class KernelDistance {
  /** clean-fid's and torch-fidelity's defaults. */
  public static final int SUBSETS = 100;

  public static final int MAX_SUBSET_SIZE = 1000;

  private KernelDistance() {}

  /**
   * {@code {mean, std}} of the per-subset MMD^2 estimates between {@code a} [n1, d] and {@code b}
   * [n2, d] (row-major float32 features).
   */
  public static double[] between(
      float[] a, int n1, float[] b, int n2, int d, int subsets, int maxSubsetSize, long seed) {
    return between(a, n1, b, n2, d, subsets, maxSubsetSize, seed, Device.cpu());
  }

  /** As {@link #between(float[], int, float[], int, int, int, int, long)}, on {@code device}. */
  public static double[] between(
      float[] a,
      int n1,
      float[] b,
      int n2,
      int d,
      int subsets,
      int maxSubsetSize,
      long seed,
      Device device) {
    if ((long) n1 * d != a.length || (long) n2 * d != b.length) {
      throw new IllegalArgumentException(
          "features: "
              + a.length
              + " and "
              + b.length
              + " values are not ["
              + n1
              + ", "
              + d
              + "] and ["
              + n2
              + ", "
              + d
              + "]");
    }
    int m = Math.min(Math.min(n1, n2), maxSubsetSize);
    if (m < 2) {
      throw new IllegalArgumentException(
          "KID needs at least 2 features on each side, got " + n1 + " and " + n2);
    }
    SplittableRandom random = new SplittableRandom(seed);
    double[] values = new double[subsets];
    try (NDManager manager = NDManager.newBaseManager(device)) {
      NDArray fa = manager.create(a, new Shape(n1, d));
      NDArray fb = manager.create(b, new Shape(n2, d));
      for (int s = 0; s < subsets; s++) {
        try (NDManager scope = manager.newSubManager()) {
          NDArray x = take(fb, choose(n2, m, random), scope);
          NDArray y = take(fa, choose(n1, m, random), scope);
          double kxx = offDiagonalSum(kernel(x, x, d));
          double kyy = offDiagonalSum(kernel(y, y, d));
          double kxy = kernel(x, y, d).sum().getDouble();
          values[s] = ((kxx + kyy) / (m - 1) - 2 * kxy / m) / m;
        }
      }
    }
    double mean = 0;
    for (double v : values) {
      mean += v;
    }
    mean /= subsets;
    double var = 0;
    for (double v : values) {
      var += (v - mean) * (v - mean);
    }
    return new double[] {mean, Math.sqrt(var / subsets)};
  }

  /** {@code (x y^T / d + 1)^3}: the product in the features' float32, the rest in float64. */
  static NDArray kernel(NDArray x, NDArray y, int d) {
    return x.matMul(y.transpose())
        .toType(ai.djl.ndarray.types.DataType.FLOAT64, false)
        .div(d)
        .add(1)
        .pow(3);
  }

  private static double offDiagonalSum(NDArray k) {
    return k.sum().getDouble() - k.diagonal().sum().getDouble();
  }

  private static NDArray take(NDArray rows, long[] index, NDManager scope) {
    NDArray idx = scope.create(index);
    NDArray out = rows.get(idx);
    out.attach(scope);
    return out;
  }

  /** {@code m} distinct indices of {@code 0..n-1} (a partial Fisher-Yates shuffle). */
  static long[] choose(int n, int m, SplittableRandom random) {
    int[] perm = new int[n];
    for (int i = 0; i < n; i++) {
      perm[i] = i;
    }
    long[] out = new long[m];
    for (int i = 0; i < m; i++) {
      int j = i + random.nextInt(n - i);
      int t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
      out[i] = perm[i];
    }
    return out;
  }
}

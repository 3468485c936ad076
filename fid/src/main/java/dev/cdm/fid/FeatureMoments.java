package dev.cdm.fid;

import java.io.Serializable;

/**
 * Running float64 sums of detector features: the count {@code n}, {@code sum_i f_i} and {@code
 * sum_i f_i f_i^T}, exactly the three quantities the reference accumulates in {@code
 * calculate_inception_stats}. Sums merge by addition, so partial moments from any split of the
 * images combine to the same statistics (the Beam {@code CombineFn} relies on this).
 */
public final class FeatureMoments implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int dim;
  private long count;
  private final double[] sum; // [dim]
  private final double[] outer; // [dim*dim], row-major

  public FeatureMoments(int dim) {
    this(dim, 0, new double[dim], new double[dim * dim]);
  }

  /** Wraps existing sums (no copy); used by coders and by {@link FeatureSums#toMoments()}. */
  public FeatureMoments(int dim, long count, double[] sum, double[] outer) {
    if (dim < 0 || sum.length != dim || outer.length != (long) dim * dim) {
      throw new IllegalArgumentException(
          "moments of dimension " + dim + " need sum[" + dim + "] and outer[" + dim + "^2]");
    }
    this.dim = dim;
    this.count = count;
    this.sum = sum;
    this.outer = outer;
  }

  public int dim() {
    return dim;
  }

  public long count() {
    return count;
  }

  /** The sum of the features (not a copy). */
  public double[] sum() {
    return sum;
  }

  /** The sum of the features' outer products, row-major (not a copy). */
  public double[] outer() {
    return outer;
  }

  /** Adds one feature row (float64, as the reference casts features before summing). */
  public void add(double[] features) {
    if (features.length != dim) {
      throw new IllegalArgumentException(
          "feature vector of size " + features.length + " added to moments of dimension " + dim);
    }
    count++;
    for (int i = 0; i < dim; i++) {
      double fi = features[i];
      sum[i] += fi;
      int row = i * dim;
      for (int j = 0; j < dim; j++) {
        outer[row + j] += fi * features[j];
      }
    }
  }

  /** Adds {@code other} into this; an empty side may have dimension 0 (an identity element). */
  public FeatureMoments merge(FeatureMoments other) {
    if (other.count == 0) {
      return this;
    }
    if (count == 0 && dim != other.dim) {
      return other.copy();
    }
    if (dim != other.dim) {
      throw new IllegalArgumentException(
          "cannot merge features of dimension "
              + other.dim
              + " into dimension "
              + dim
              + " (were they computed with the same detector?)");
    }
    count += other.count;
    for (int i = 0; i < dim; i++) {
      sum[i] += other.sum[i];
    }
    for (int i = 0; i < outer.length; i++) {
      outer[i] += other.outer[i];
    }
    return this;
  }

  public FeatureMoments copy() {
    return new FeatureMoments(dim, count, sum.clone(), outer.clone());
  }

  /**
   * An error naming both counts when there are fewer images than features: their covariance is
   * singular, and a dataset's statistics or an FID from it would not mean what the number suggests.
   * The product's statistics (cdm ref, cdm fid) go through this check.
   */
  public void requireAtLeastDimImages() {
    if (count < dim) {
      throw new IllegalStateException(
          "Found "
              + count
              + " images, but the detector gives "
              + dim
              + " features: statistics need at least "
              + dim
              + " images");
    }
  }

  /**
   * {@code mu} and {@code sigma} by the reference formula: {@code mu = sum / n}, {@code sigma =
   * (outer - n mu mu^T) / (n - 1)}. At least two features are needed, as in the reference; a
   * non-finite feature sum (NaN or infinite detector output) is an error, never a statistic.
   */
  public GaussianStatistics toStatistics() {
    if (count < 2) {
      throw new IllegalStateException(
          "Found " + count + " images, but need at least 2 to compute statistics");
    }
    for (int i = 0; i < dim; i++) {
      if (!Double.isFinite(sum[i]) || !Double.isFinite(outer[i * dim + i])) {
        throw new IllegalStateException(
            "The detector's features of "
                + count
                + " images are not"
                + " finite (feature "
                + i
                + " sums to "
                + sum[i]
                + "): NaN or infinite detector output");
      }
    }
    double n = count;
    double[] mu = new double[dim];
    for (int i = 0; i < dim; i++) {
      mu[i] = sum[i] / n;
    }
    double[] sigma = new double[dim * dim];
    for (int i = 0; i < dim; i++) {
      for (int j = 0; j < dim; j++) {
        // Same operation order as the reference: sigma -= ger(mu, mu) * n; sigma /= n - 1.
        sigma[i * dim + j] = (outer[i * dim + j] - mu[i] * mu[j] * n) / (n - 1);
      }
    }
    return GaussianStatistics.of(mu, sigma);
  }
}

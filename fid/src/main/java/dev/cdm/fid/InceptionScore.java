package dev.cdm.fid;

import java.io.Serializable;

/**
 * The Inception Score of class probabilities, as StyleGAN2-ADA's {@code inception_score.py}
 * computes it: the images are cut into {@code splits} parts (10) by their position, and each part
 * scores {@code exp(mean_i KL(p_i || p_part))}; the result is the mean and the (population)
 * standard deviation over the parts.
 *
 * <p>Kept as mergeable sums per part, so that workers can score their images separately: the mean
 * KL of a part is {@code (1/n) sum_i sum_c p_ic log p_ic - sum_c pbar_c log pbar_c} with {@code
 * pbar = (1/n) sum_i p_i}, which needs only the count, the scalar {@code sum p log p} and the
 * vector {@code sum p}. Zero probabilities count as {@code 0 log 0 = 0}.
 */
public final class InceptionScore implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The reference's number of parts. */
  public static final int SPLITS = 10;

  private final int splits;
  private int classes;
  private final long[] count;
  private final double[] sumPLogP;
  private double[][] sumP;

  /** Empty sums over {@code splits} parts; the number of classes comes with the first image. */
  public InceptionScore(int splits) {
    if (splits < 1) {
      throw new IllegalArgumentException("splits must be >= 1, got " + splits);
    }
    this.splits = splits;
    this.count = new long[splits];
    this.sumPLogP = new double[splits];
    this.sumP = new double[splits][];
  }

  /**
   * The part of the image at {@code position} of {@code total}: {@code floor(position * splits /
   * total)}.
   */
  public static int part(long position, long total, int splits) {
    if (position < 0 || position >= total) {
      throw new IllegalArgumentException("position " + position + " outside 0.." + (total - 1));
    }
    // The reference slices parts [i * n // splits, (i + 1) * n // splits).
    int p = (int) (position * splits / total);
    while (p + 1 < splits && (p + 1) * total / splits <= position) {
      p++;
    }
    while (p > 0 && p * total / splits > position) {
      p--;
    }
    return p;
  }

  public int splits() {
    return splits;
  }

  public long count() {
    long n = 0;
    for (long c : count) {
      n += c;
    }
    return n;
  }

  /** Adds one image's class probabilities to part {@code part}. */
  public void add(int part, float[] probs) {
    if (classes == 0) {
      classes = probs.length;
    } else if (probs.length != classes) {
      throw new IllegalArgumentException(
          probs.length + " class probabilities added to scores of " + classes + " classes");
    }
    if (sumP[part] == null) {
      sumP[part] = new double[classes];
    }
    double[] s = sumP[part];
    double plogp = 0;
    for (int c = 0; c < classes; c++) {
      double p = probs[c];
      s[c] += p;
      if (p > 0) {
        plogp += p * Math.log(p);
      }
    }
    sumPLogP[part] += plogp;
    count[part]++;
  }

  /** Adds {@code other}'s sums into this. */
  public InceptionScore merge(InceptionScore other) {
    if (other.splits != splits) {
      throw new IllegalArgumentException("cannot merge " + other.splits + " parts into " + splits);
    }
    if (other.classes != 0 && classes != 0 && other.classes != classes) {
      throw new IllegalArgumentException(
          "cannot merge scores of " + other.classes + " classes into " + classes);
    }
    if (classes == 0) {
      classes = other.classes;
    }
    for (int i = 0; i < splits; i++) {
      count[i] += other.count[i];
      sumPLogP[i] += other.sumPLogP[i];
      if (other.sumP[i] != null) {
        if (sumP[i] == null) {
          sumP[i] = other.sumP[i].clone();
        } else {
          for (int c = 0; c < classes; c++) {
            sumP[i][c] += other.sumP[i][c];
          }
        }
      }
    }
    return this;
  }

  /** Whether every part has an image (at least {@code splits} images were added). */
  public boolean complete() {
    for (long c : count) {
      if (c == 0) {
        return false;
      }
    }
    return classes > 0;
  }

  /** {@code {mean, std}} of the parts' scores; every part needs at least one image. */
  public double[] meanStd() {
    double[] scores = new double[splits];
    for (int i = 0; i < splits; i++) {
      if (count[i] == 0) {
        throw new IllegalStateException(
            "Inception Score part "
                + i
                + " of "
                + splits
                + " has no images (need at least "
                + splits
                + " images)");
      }
      double n = count[i];
      double marginal = 0;
      for (int c = 0; c < classes; c++) {
        double pbar = sumP[i][c] / n;
        if (pbar > 0) {
          marginal += pbar * Math.log(pbar);
        }
      }
      scores[i] = Math.exp(sumPLogP[i] / n - marginal);
    }
    double mean = 0;
    for (double s : scores) {
      mean += s;
    }
    mean /= splits;
    double var = 0;
    for (double s : scores) {
      var += (s - mean) * (s - mean);
    }
    return new double[] {mean, Math.sqrt(var / splits)};
  }
}

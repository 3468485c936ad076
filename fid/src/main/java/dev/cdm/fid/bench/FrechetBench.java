package dev.cdm.fid.bench;

import dev.cdm.fid.FeatureMoments;
import dev.cdm.fid.FrechetDistance;
import dev.cdm.fid.GaussianStatistics;
import java.util.Locale;
import java.util.Random;

/**
 * Time of one Fréchet distance at the detector's dimension (default 2048) from random
 * statistics. Arguments: dim (default 2048), samples (default 3 * dim).
 */
public final class FrechetBench {
  private FrechetBench() {}

  public static void main(String[] args) {
    int dim = args.length > 0 ? Integer.parseInt(args[0]) : 2048;
    int samples = args.length > 1 ? Integer.parseInt(args[1]) : 3 * dim;
    Random rnd = new Random(0);
    GaussianStatistics a = random(dim, samples, rnd, 0);
    GaussianStatistics b = random(dim, samples, rnd, 0.1);
    for (int i = 0; i < 2; i++) {
      long t = System.nanoTime();
      double fid = FrechetDistance.between(a, b);
      System.out.printf(Locale.ROOT, "dim=%d fid=%.6f in %.2f s%n", dim, fid,
          (System.nanoTime() - t) / 1e9);
    }
  }

  /** Statistics of {@code samples} random vectors with a few shared directions (non-trivial sigma). */
  static GaussianStatistics random(int dim, int samples, Random rnd, double shift) {
    FeatureMoments m = new FeatureMoments(dim);
    double[] f = new double[dim];
    for (int s = 0; s < samples; s++) {
      double common = rnd.nextGaussian();
      for (int i = 0; i < dim; i++) {
        f[i] = Math.max(0, rnd.nextGaussian() * 0.5 + common * (i % 7) * 0.1 + shift);
      }
      m.add(f);
    }
    return m.toStatistics();
  }
}

package dev.cdm.fid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cdm.model.io.NpzFile;
import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FrechetDistanceTest {
  @Test
  void matchesReferenceFidBetweenSets() throws IOException {
    NpzFile fx = Fixtures.npz("fid-case.npz");
    GaussianStatistics b =
        GaussianStatistics.of(fx.get("muB").toDoubles(), fx.get("sigmaB").toDoubles());
    GaussianStatistics a = GaussianStatistics.read(Fixtures.path("fid-refA.npz"));
    double expected = Fixtures.scalar(fx, "fid_B_vs_A");
    double fid = FrechetDistance.between(b, a);
    assertEquals(expected, fid, 1e-6 * Math.abs(expected));
    // Symmetric in its arguments, as tr sqrtm(S1 S2) = tr sqrtm(S2 S1).
    assertEquals(fid, FrechetDistance.between(a, b), 1e-7 * Math.abs(expected));
  }

  @Test
  void matchesReferenceFidOfASetWithItself() throws IOException {
    NpzFile fx = Fixtures.npz("fid-case.npz");
    GaussianStatistics a = GaussianStatistics.read(Fixtures.path("fid-refA.npz"));
    double expected = Fixtures.scalar(fx, "fid_A_vs_A");
    double fid = FrechetDistance.between(a, a);
    // Both are rounding noise around 0; bound it by the scale of the traces involved.
    double scale = 2 * trace(a);
    // The reference gets -5.2e-11 (trace 4.3e-3): sqrt of rounding-level eigenvalues, on both
    // sides.
    assertEquals(expected, fid, 1e-7 * scale);
    assertTrue(Math.abs(fid) < 1e-7 * scale, "FID of a set with itself is " + fid);
  }

  @Test
  void dimensionMismatchIsAClearError() {
    GaussianStatistics a = GaussianStatistics.of(new double[2], new double[] {1, 0, 0, 1});
    GaussianStatistics b = GaussianStatistics.of(new double[3], new double[9]);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> FrechetDistance.between(a, b));
    assertTrue(e.getMessage().contains("2") && e.getMessage().contains("3"), e.getMessage());
  }

  /** Commuting covariances Q diag(a) Q^T, Q diag(b) Q^T: tr sqrtm = sum sqrt(a_i b_i) exactly. */
  @Test
  void illConditionedAndSingularCovariances() {
    int n = 40;
    Random rnd = new Random(3);
    double[] q = SymmetricEigenvaluesTest.randomOrthogonal(n, rnd);
    double[] ea = new double[n];
    double[] eb = new double[n];
    double expected = 0;
    for (int i = 0; i < n; i++) {
      // Eigenvalues spanning 1e-14..1e2, a third exactly zero (rank-deficient).
      ea[i] = i % 3 == 0 ? 0 : Math.pow(10, -14 + 16.0 * rnd.nextDouble());
      eb[i] = Math.pow(10, -14 + 16.0 * rnd.nextDouble());
      expected += Math.sqrt(ea[i] * eb[i]);
    }
    double[] s1 = SymmetricEigenvaluesTest.compose(q, ea, n);
    double[] s2 = SymmetricEigenvaluesTest.compose(q, eb, n);
    double got = FrechetDistance.traceSqrtOfProduct(s1, s2, n);
    assertEquals(expected, got, 1e-6 * expected);
    assertEquals(expected, FrechetDistance.traceSqrtOfProduct(s2, s1, n), 1e-6 * expected);
  }

  /** Fewer samples than dimensions (singular sigma), non-commuting: both orders agree. */
  @Test
  void fewSamplesNonCommuting() {
    int d = 32;
    Random rnd = new Random(11);
    FeatureMoments small = new FeatureMoments(d);
    FeatureMoments big = new FeatureMoments(d);
    for (int k = 0; k < 10; k++) {
      small.add(randomRow(d, rnd));
    }
    for (int k = 0; k < 500; k++) {
      big.add(randomRow(d, rnd));
    }
    GaussianStatistics a = small.toStatistics();
    GaussianStatistics b = big.toStatistics();
    double ab = FrechetDistance.between(a, b);
    double ba = FrechetDistance.between(b, a);
    // Relative 1e-7: rounding-level eigenvalues of the singular side enter through a sqrt.
    assertEquals(ab, ba, 1e-7 * Math.abs(ab));
    assertTrue(ab > 0);
    assertEquals(0, FrechetDistance.between(a, a), 1e-9 * d);
  }

  static double trace(GaussianStatistics s) {
    double t = 0;
    for (int i = 0; i < s.dim(); i++) {
      t += s.sigma()[i * s.dim() + i];
    }
    return t;
  }

  private static double[] randomRow(int d, Random rnd) {
    double[] f = new double[d];
    for (int i = 0; i < d; i++) {
      f[i] = rnd.nextGaussian() * (1 + i % 5) + (i == 0 ? 3 : 0);
    }
    return f;
  }
}

package dev.cdm.model.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.cdm.model.sampling.AblationSampler.Discretization;
import dev.cdm.model.sampling.AblationSampler.Scaling;
import dev.cdm.model.sampling.AblationSampler.Schedule;
import dev.cdm.model.sampling.AblationSampler.Solver;
import dev.cdm.model.torch.TorchRandom;
import org.junit.jupiter.api.Test;

/**
 * Samplers against the closed-form solution of the probability-flow ODE for Gaussian data (see
 * {@link GaussianDenoiser}): x(0) = x(sigma_max) s / sqrt(s^2 + sigma_max^2).
 */
class SamplerConvergenceTest {
  static final double S = 0.5;

  private static double maxAbs(NDArray a, NDArray b) {
    return a.toType(DataType.FLOAT64, false)
        .sub(b.toType(DataType.FLOAT64, false))
        .abs()
        .max()
        .getDouble();
  }

  private static NDArray exact(NDArray latents, double sigmaMax) {
    return latents
        .toType(DataType.FLOAT64, false)
        .mul(sigmaMax * S / Math.sqrt(S * S + sigmaMax * sigmaMax));
  }

  @Test
  void edmHeunConvergesToTheExactSolutionWithTwoEvaluationsPerStepButTheLast() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray lat = m.randomNormal(new Shape(3, 2, 4, 4));
      GaussianDenoiser net = new GaussianDenoiser(S, 2, 4, 0);
      EdmSampler sampler = EdmSampler.builder().numSteps(18).build();
      NDArray x = sampler.sample(net, lat, null, new GlobalNoise());
      assertEquals(DataType.FLOAT64, x.getDataType());
      assertEquals(2 * 18 - 1, net.calls);
      assertEquals(0, sampler.noiseDraws(net, m));
      double err18 = maxAbs(x, exact(lat, 80));
      NDArray x64 =
          EdmSampler.builder().numSteps(64).build().sample(net, lat, null, new GlobalNoise());
      double err64 = maxAbs(x64, exact(lat, 80));
      // Heun is second order: 18 -> 64 steps divides the error by about (64/18)^2 = 12.6.
      double scale = lat.abs().max().getFloat();
      assertTrue(err18 < 0.03 * scale, "18 steps: " + err18);
      assertTrue(err64 < err18 / 8, "second order: 64 steps " + err64 + " vs 18 steps " + err18);
    }
  }

  @Test
  void ablationSamplerWithEdmSettingsIsTheEdmSampler() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray lat = m.randomNormal(new Shape(2, 1, 4, 4));
      GaussianDenoiser net = new GaussianDenoiser(S, 1, 4, 0);
      NDArray a =
          EdmSampler.builder().numSteps(8).build().sample(net, lat, null, new GlobalNoise());
      NDArray b =
          AblationSampler.builder().numSteps(8).build().sample(net, lat, null, new GlobalNoise());
      assertTrue(maxAbs(a, b) < 1e-12, "diff " + maxAbs(a, b));
    }
  }

  @Test
  void everyAblationCombinationConverges() {
    try (NDManager m = NDManager.newBaseManager()) {
      TorchRandom.manualSeed(11);
      NDArray lat = m.randomNormal(new Shape(2, 1, 4, 4));
      double scale = lat.abs().max().getFloat();
      GaussianDenoiser net = new GaussianDenoiser(S, 1, 4, 0);
      for (Discretization disc : Discretization.values()) {
        for (Schedule sched : Schedule.values()) {
          for (Scaling scal : Scaling.values()) {
            AblationSampler sampler =
                AblationSampler.builder()
                    .numSteps(256)
                    .solver(Solver.HEUN)
                    .discretization(disc)
                    .schedule(sched)
                    .scaling(scal)
                    .build();
            double sigmaMax = sampler.timeSteps(net, m)[0];
            double sigma0 =
                sched == Schedule.VP
                    ? AblationSampler.vpSigma(
                        vpBetaD(sampler, net, m), vpBetaMin(sampler, net, m), sigmaMax)
                    : sched == Schedule.VE ? Math.sqrt(sigmaMax) : sigmaMax;
            NDArray x = sampler.sample(net, lat, null, new GlobalNoise());
            double err = maxAbs(x, exact(lat, sigma0));
            // iDDPM's 1000 fixed levels are sparse at high noise: coarser, but still convergent.
            double tol = (disc == Discretization.IDDPM ? 0.04 : 2e-3) * scale;
            assertTrue(err < tol, disc + "/" + sched + "/" + scal + ": " + err);
          }
        }
      }
    }
  }

  // The VP betas as the sampler derives them from its sigma range.
  private static double[] range(AblationSampler s) {
    double lo;
    double hi;
    switch (s.discretization()) {
      case VP:
        lo = AblationSampler.vpSigma(19.1, 0.1, s.epsilonS());
        hi = AblationSampler.vpSigma(19.1, 0.1, 1);
        break;
      case VE:
        lo = 0.02;
        hi = 100;
        break;
      case IDDPM:
        lo = 0.002;
        hi = 81;
        break;
      default:
        lo = 0.002;
        hi = 80;
    }
    return new double[] {lo, hi};
  }

  private static double vpBetaD(AblationSampler s, GaussianDenoiser net, NDManager m) {
    double[] r = range(s);
    double e = s.epsilonS();
    return 2 * (Math.log(r[0] * r[0] + 1) / e - Math.log(r[1] * r[1] + 1)) / (e - 1);
  }

  private static double vpBetaMin(AblationSampler s, GaussianDenoiser net, NDManager m) {
    double[] r = range(s);
    return Math.log(r[1] * r[1] + 1) - 0.5 * vpBetaD(s, net, m);
  }

  @Test
  void churnUsesOneDrawPerStepUpToTheLastChurnedStep() {
    try (NDManager m = NDManager.newBaseManager()) {
      GaussianDenoiser net = new GaussianDenoiser(S, 1, 4, 0);
      EdmSampler churn =
          EdmSampler.builder().numSteps(8).sChurn(40).sMin(0.05).sMax(50).sNoise(1.003).build();
      double[] t = churn.plan(net, m).timeSteps();
      int last = -1;
      for (int i = 0; i < 8; i++) {
        if (t[i] >= 0.05 && t[i] <= 50) {
          last = i;
        }
      }
      assertEquals(last + 1, churn.noiseDraws(net, m));
      // The same seeds give the same images; other seeds give others.
      long[] seeds = {3, 4};
      Shape chw = new Shape(1, 4, 4);
      NDArray[] out = new NDArray[3];
      long[][] seedSets = {seeds, seeds, {5, 6}};
      for (int k = 0; k < 3; k++) {
        try (SeedStreams st =
            SeedStreams.draw(m, seedSets[k], chw, 0, churn.noiseDraws(net, m), DataType.FLOAT64)) {
          out[k] = churn.sample(net, st.latents(), null, st);
        }
      }
      assertEquals(0d, maxAbs(out[0], out[1]));
      assertTrue(maxAbs(out[0], out[2]) > 0.01);
    }
  }
}

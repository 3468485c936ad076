package dev.cdm.model.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.auto.value.AutoValue;
import dev.cdm.model.nn.HostScalars;
import dev.cdm.model.precond.Denoiser;

/**
 * The EDM sampler (EDM paper, Algorithm 2; {@code edm_sampler} of {@code generate.py}): Heun's 2nd
 * order method on the EDM time steps, with optional churn ({@code S_churn}, {@code S_min}, {@code
 * S_max}, {@code S_noise}). {@code S_churn = 0} gives the deterministic sampler. The state {@code
 * x} is float64 throughout; the network sees float32 (cast by the precond).
 */
@AutoValue
public abstract class EdmSampler implements Sampler {
  public abstract int numSteps();

  public abstract double sigmaMin();

  public abstract double sigmaMax();

  public abstract double rho();

  public abstract double sChurn();

  public abstract double sMin();

  public abstract double sMax();

  public abstract double sNoise();

  /** Defaults of {@code generate.py}: 18 steps, sigma in [0.002, 80], rho 7, no churn. */
  public static Builder builder() {
    return SamplerSettings.defaults(new AutoValue_EdmSampler.Builder())
        .sigmaMin(0.002)
        .sigmaMax(80);
  }

  public abstract Builder toBuilder();

  /**
   * Configuration of the EDM sampler (steps, rho and churn: {@link SamplerSettings}); names follow
   * the paper.
   */
  @AutoValue.Builder
  public abstract static class Builder implements SamplerSettings<Builder> {
    public abstract Builder sigmaMin(double v);

    public abstract Builder sigmaMax(double v);

    abstract EdmSampler autoBuild();

    public EdmSampler build() {
      EdmSampler s = autoBuild();
      SamplerSettings.checkSteps(s.numSteps());
      return s;
    }
  }

  /** The step schedule for {@code net}: t_0..t_N (t_N = 0), each t_hat_i and noise coefficient. */
  public Plan plan(Denoiser net, NDManager manager) {
    // Adjust noise levels based on what the network supports.
    double lo = Math.max(sigmaMin(), net.sigmaMin());
    double hi = Math.min(sigmaMax(), net.sigmaMax());
    double[] t =
        TimeSteps.appendZero(
            TimeSteps.roundSigma(net, manager, TimeSteps.edm(lo, hi, rho(), numSteps())));
    double[] tHat = new double[numSteps()];
    double[] noiseCoef = new double[numSteps()];
    for (int i = 0; i < numSteps(); i++) {
      double gamma = TimeSteps.gamma(t[i], sChurn(), sMin(), sMax(), numSteps());
      tHat[i] = TimeSteps.roundSigma(net, manager, t[i] + gamma * t[i]);
      noiseCoef[i] = StepEquations.churnStd(tHat[i], t[i], sNoise());
    }
    return new Plan(t, tHat, noiseCoef);
  }

  @Override
  public int noiseDraws(Denoiser net, NDManager manager) {
    return plan(net, manager).noiseDraws();
  }

  @Override
  public NDArray sample(Denoiser net, NDArray latents, NDArray classLabels, NoiseSource noise) {
    NDManager parent = latents.getManager();
    Plan p = plan(net, parent);
    double[] t = p.t;
    NDArray latents64 = latents.toType(DataType.FLOAT64, true);
    NDArray x = HostScalars.mul(latents64, t[0]);
    latents64.close();
    int draws = p.noiseDraws();
    for (int i = 0; i < numSteps(); i++) {
      try (NDManager step = parent.newSubManager()) {
        x.attach(step);
        double tNext = t[i + 1];
        double tHat = p.tHat[i];
        // Increase noise temporarily (a zero coefficient adds exactly nothing: skip the draw).
        NDArray xHat = x;
        if (i < draws) {
          NDArray z = noise.randnLike(x);
          z.attach(step);
          if (p.noiseCoef[i] != 0) {
            xHat = StepEquations.churn(x, z, p.noiseCoef[i]);
          }
        }
        // Euler step, then the 2nd order correction (not after the last step).
        NDArray xNext =
            StepEquations.heun(net, xHat, tHat, tNext, classLabels, i < numSteps() - 1, step).xNext;
        xNext.attach(parent);
        x = xNext;
      }
    }
    return x;
  }

  /** The precomputed scalars of one run: time steps, churned steps and noise coefficients. */
  public static final class Plan {
    final double[] t;
    final double[] tHat;
    final double[] noiseCoef;

    Plan(double[] t, double[] tHat, double[] noiseCoef) {
      this.t = t;
      this.tHat = tHat;
      this.noiseCoef = noiseCoef;
    }

    /** t_0..t_N with t_N = 0 (after {@code round_sigma}). */
    public double[] timeSteps() {
      return t.clone();
    }

    /** Draws up to and including the last step whose noise coefficient is non-zero. */
    public int noiseDraws() {
      for (int i = noiseCoef.length - 1; i >= 0; i--) {
        if (noiseCoef[i] != 0) {
          return i + 1;
        }
      }
      return 0;
    }
  }
}

package dev.cdm.model.sampling;

/**
 * The setters that the sampler configurations of {@code generate.py} share: the number of steps,
 * the EDM schedule's {@code rho} and the churn ({@code S_churn}, {@code S_min}, {@code S_max},
 * {@code S_noise}). The builders of {@link EdmSampler}, {@link AblationSampler} and {@link
 * SamplerSpec} implement it, so that the defaults and the copy from one to another are written
 * once.
 *
 * @param <B> the builder type, returned by each setter
 */
public interface SamplerSettings<B extends SamplerSettings<B>> {
  B numSteps(int n);

  B rho(double v);

  B sChurn(double v);

  B sMin(double v);

  B sMax(double v);

  B sNoise(double v);

  /** Sets {@code generate.py}'s defaults: 18 steps, rho 7, no churn. */
  static <B extends SamplerSettings<B>> B defaults(B b) {
    return b.numSteps(18).rho(7).sChurn(0).sMin(0).sMax(Double.POSITIVE_INFINITY).sNoise(1);
  }

  /** Rejects a step count below 1, naming the flag. */
  static int checkSteps(int numSteps) {
    if (numSteps < 1) {
      throw new IllegalArgumentException("steps: must be >= 1, got " + numSteps);
    }
    return numSteps;
  }
}

package dev.cdm.model.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.cdm.model.precond.Denoiser;

/**
 * One step of the CDM repo's {@code churn_sampler} ({@code training/samplers.py}; the same step is
 * {@code stochastic_sampler} of {@code example.py}): EDM's churn (raise the noise to t_hat = t (1 +
 * gamma)), an Euler step to t_next and, with {@code secondOrder} and before the last step, Heun's
 * correction. float64 state; results attach to {@code xCur}'s manager.
 */
public final class ChurnStep {
  private ChurnStep() {}

  public static StepResult step(
      Denoiser net,
      NDArray xCur,
      NDArray classLabels,
      double sChurn,
      double sMin,
      double sMax,
      double sNoise,
      int numSteps,
      double tCur,
      double tNext,
      int i,
      boolean secondOrder,
      NoiseSource noise) {
    NDManager parent = xCur.getManager();
    try (NDManager step = parent.newSubManager()) {
      // Intermediates follow their first operand: keep them in the step's manager.
      xCur.tempAttach(step);
      double gamma = TimeSteps.gamma(tCur, sChurn, sMin, sMax, numSteps);
      double tHat = TimeSteps.roundSigma(net, step, tCur + gamma * tCur);
      NDArray z = noise.randnLike(xCur);
      z.attach(step);
      NDArray xHat = StepEquations.churn(xCur, z, StepEquations.churnStd(tHat, tCur, sNoise));
      StepEquations.Heun h =
          StepEquations.heun(
              net, xHat, tHat, tNext, classLabels, i < numSteps - 1 && secondOrder, step);
      h.xNext.attach(parent);
      h.denoised.attach(parent);
      return new StepResult(h.xNext, h.denoised);
    }
  }
}

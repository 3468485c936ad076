package dev.cdm.model.sampling;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.cdm.model.precond.Denoiser;

/**
 * One step of the CDM repo's {@code backward_sde_sampler} ({@code training/samplers.py}): an
 * Euler–Maruyama step of the reverse SDE from t_cur to t_next, {@code x + 2 (t_next - t) d + sqrt(2
 * |t - t_next| t) z}, optionally with a second-order correction that draws fresh noise. The state
 * is float64; results attach to {@code x}'s manager.
 */
public final class BackwardSdeStep {
  private BackwardSdeStep() {}

  public static StepResult step(
      Denoiser net,
      NDArray xHat,
      NDArray classLabels,
      int numSteps,
      double tCur,
      double tNext,
      int i,
      boolean secondOrder,
      NDArray augmentLabels,
      NoiseSource noise) {
    NDManager parent = xHat.getManager();
    try (NDManager step = parent.newSubManager()) {
      // Intermediates follow their first operand: keep them in the step's manager.
      xHat.tempAttach(step);
      // t and t_next as host scalars (0-d, on the CPU), as HostScalars passes numbers to kernels.
      NDManager host = step.newSubManager(Device.cpu());
      NDArray tHat = Steps.full(host, new Shape(), tCur);
      NDArray tTo = Steps.full(host, new Shape(), tNext);
      NDArray denoised = Steps.denoise(net, xHat, tCur, classLabels, step);
      NDArray dCur = StepEquations.slope(xHat, denoised, tHat);
      NDArray z = noise.randnLike(xHat);
      z.attach(step);
      NDArray xNext = StepEquations.backwardSde(xHat, dCur, tHat, tTo, z);
      if (i < numSteps - 1 && secondOrder) {
        // The reference passes augment labels to the second evaluation only, and draws fresh noise.
        denoised = Steps.denoise(net, xNext, tNext, classLabels, augmentLabels, step);
        NDArray dPrime = StepEquations.slope(xNext, denoised, tTo);
        NDArray z2 = noise.randnLike(xHat);
        z2.attach(step);
        xNext =
            StepEquations.backwardSde(
                xHat, StepEquations.heunSlope(dCur, dPrime, 1), tHat, tTo, z2);
      }
      xNext.attach(parent);
      denoised.attach(parent);
      return new StepResult(xNext, denoised);
    }
  }
}

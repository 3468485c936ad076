package dev.cdm.model.sampling;

import dev.cdm.model.nn.HostScalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.cdm.model.precond.Denoiser;

/**
 * One step of the CDM repo's {@code backward_sde_sampler} ({@code training/samplers.py}): an
 * Euler–Maruyama step of the reverse SDE from t_cur to t_next,
 * {@code x + 2 (t_next - t) d + sqrt(2 |t - t_next| t) z}, optionally with a second-order
 * correction that draws fresh noise. The state is float64; results attach to {@code x}'s manager.
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
      double tHat = tCur;
      NDArray denoised = Steps.denoise(net, xHat, tHat, classLabels, step);
      NDArray dCur = HostScalars.div(xHat.sub(denoised), tHat);
      double noiseScale = Math.sqrt(2 * Math.abs(tHat - tNext) * tCur);
      NDArray z = noise.randnLike(xHat);
      z.attach(step);
      NDArray xNext = xHat.add(HostScalars.mul(dCur, 2 * (tNext - tHat))).add(HostScalars.mul(z, noiseScale));
      if (i < numSteps - 1 && secondOrder) {
        // The reference passes augment labels to the second evaluation only.
        denoised = Steps.denoise(net, xNext, tNext, classLabels, augmentLabels, step);
        NDArray dPrime = HostScalars.div(xNext.sub(denoised), tNext);
        NDArray z2 = noise.randnLike(xHat);
        z2.attach(step);
        xNext =
            xHat.add(HostScalars.mul(HostScalars.mul(dCur, 0.5).add(HostScalars.mul(dPrime, 0.5)), 2 * (tNext - tHat)))
                .add(HostScalars.mul(z2, noiseScale));
      }
      xNext.attach(parent);
      denoised.attach(parent);
      return new StepResult(xNext, denoised);
    }
  }
}

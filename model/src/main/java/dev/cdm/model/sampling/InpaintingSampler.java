package dev.cdm.model.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.cdm.model.nn.HostScalars;
import dev.cdm.model.precond.Denoiser;

/**
 * The inpainting sampler of the CDM repo's {@code eval.py}: the EDM sampler, and after every step
 * the known pixels ({@code mask = 1}) are replaced by the measurement {@code y} moved to the new
 * noise level along the last Heun slope, {@code y + t_next * d_prime}. As in the reference, the
 * last step (which has no Heun correction) reuses the previous step's {@code d_prime}.
 */
public final class InpaintingSampler {
  private final EdmSampler config;

  public InpaintingSampler(EdmSampler config) {
    this.config = config;
  }

  public NDArray sample(
      Denoiser net,
      NDArray y,
      NDArray mask,
      NDArray latents,
      NDArray classLabels,
      NoiseSource noise) {
    int n = config.numSteps();
    if (n < 2) {
      // The reference fails here too (d_prime is never defined with one step).
      throw new IllegalArgumentException("steps: the inpainting sampler needs at least 2 steps");
    }
    NDManager parent = latents.getManager();
    EdmSampler.Plan p = config.plan(net, parent);
    double[] t = p.timeSteps();
    NDArray latents64 = latents.toType(DataType.FLOAT64, true);
    NDArray x = HostScalars.mul(latents64, t[0]);
    latents64.close();
    NDArray dPrime = null;
    NDManager keep = parent.newSubManager();
    try {
      for (int i = 0; i < n; i++) {
        try (NDManager step = parent.newSubManager()) {
          x.attach(step);
          double tNext = t[i + 1];
          double tHat = p.tHat[i];
          NDArray z = noise.randnLike(x);
          z.attach(step);
          // Always added, as the reference does, even where the coefficient is zero.
          NDArray xHat = StepEquations.churn(x, z, p.noiseCoef[i]);
          StepEquations.Heun h =
              StepEquations.heun(net, xHat, tHat, tNext, classLabels, i < n - 1, step);
          NDArray xNext = h.xNext;
          if (h.dPrime != null) {
            dPrime = h.dPrime;
            dPrime.attach(keep);
          }
          // Project the known pixels back onto the noisy measurement.
          NDArray noisyY = y.add(HostScalars.mul(dPrime, tNext));
          noisyY.attach(step);
          NDArray oneMinusMask = mask.neg().add(1);
          oneMinusMask.attach(step);
          NDArray maskY = mask.mul(noisyY);
          maskY.attach(step);
          xNext = oneMinusMask.mul(xNext).add(maskY);
          xNext.attach(parent);
          x = xNext;
        }
      }
    } finally {
      keep.close();
    }
    return x;
  }
}

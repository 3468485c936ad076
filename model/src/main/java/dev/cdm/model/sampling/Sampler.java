package dev.cdm.model.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.cdm.model.precond.Denoiser;

/**
 * A sampler: integrates the probability-flow ODE (or its stochastic variant) from latents at {@code
 * sigma_max} to an image at noise level 0 with a {@link Denoiser}.
 */
public interface Sampler {

  /**
   * Runs the sampler. {@code latents} are [N, C, H, W] standard normal (float32); the result is [N,
   * C, H, W] float64, attached to the latents' manager. {@code classLabels} [N, labelDim] or null.
   */
  NDArray sample(Denoiser net, NDArray latents, NDArray classLabels, NoiseSource noise);

  /**
   * How many {@code randn_like} draws of the per-seed streams matter: the reference draws noise at
   * every step but multiplies it by an exactly zero coefficient where no churn applies, so draws
   * after the last step with noise need not be made. Deterministic samplers return 0.
   */
  int noiseDraws(Denoiser net, NDManager manager);
}

package dev.cdm.model.precond;

import ai.djl.ndarray.NDArray;

/**
 * The denoiser {@code D(x; sigma)} of the EDM paper: a preconditioned network that maps a noisy
 * image at noise level {@code sigma} to an estimate of the clean image. Samplers and losses see
 * only this interface; the four preconditionings (VP, VE, iDDPM, EDM) implement it.
 *
 * <p>Arrays follow the reference's conventions: {@code x} is [N, C, H, W], {@code sigma} is [N] (or
 * a scalar broadcast to N), {@code classLabels} is [N, labelDim] one-hot or null, {@code
 * augmentLabels} is [N, augmentDim] or null. The result is float32, like the reference's {@code
 * forward}, whatever the internal execution precision.
 */
public interface Denoiser {

  /** {@code D(x, sigma, class_labels, augment_labels)}; nullable labels mean "none". */
  NDArray denoise(NDArray x, NDArray sigma, NDArray classLabels, NDArray augmentLabels);

  /** {@code D(x, sigma, class_labels)} without augmentation labels. */
  default NDArray denoise(NDArray x, NDArray sigma, NDArray classLabels) {
    return denoise(x, sigma, classLabels, null);
  }

  /** The precond's {@code round_sigma}: identity for EDM/VE/VP, nearest discrete step for iDDPM. */
  NDArray roundSigma(NDArray sigma);

  /** Lowest noise level the network supports ({@code sigma_min}). */
  double sigmaMin();

  /** Highest noise level the network supports ({@code sigma_max}). */
  double sigmaMax();

  int imgResolution();

  int imgChannels();

  /** Number of class labels; 0 = unconditional. */
  int labelDim();
}

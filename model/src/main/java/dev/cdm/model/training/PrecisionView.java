package dev.cdm.model.training;

import ai.djl.ndarray.NDArray;
import dev.cdm.model.precond.Denoiser;
import dev.cdm.model.precond.Precision;
import dev.cdm.model.precond.Precond;

/**
 * The same network evaluated at another execution precision (for CDM's no-grad chains, whose
 * results carry no gradient and whose cost dominates a CDM step), through the precond's per-call
 * precision (the network itself is not changed).
 */
public final class PrecisionView implements Denoiser {
  private final Precond precond;
  private final Precision precision;

  public PrecisionView(Precond precond, Precision precision) {
    this.precond = precond;
    this.precision = precision;
  }

  @Override
  public NDArray denoise(NDArray x, NDArray sigma, NDArray classLabels, NDArray augmentLabels) {
    return precond.denoise(x, sigma, classLabels, augmentLabels, precision);
  }

  @Override
  public NDArray roundSigma(NDArray sigma) {
    return precond.roundSigma(sigma);
  }

  @Override
  public double sigmaMin() {
    return precond.sigmaMin();
  }

  @Override
  public double sigmaMax() {
    return precond.sigmaMax();
  }

  @Override
  public int imgResolution() {
    return precond.imgResolution();
  }

  @Override
  public int imgChannels() {
    return precond.imgChannels();
  }

  @Override
  public int labelDim() {
    return precond.labelDim();
  }
}

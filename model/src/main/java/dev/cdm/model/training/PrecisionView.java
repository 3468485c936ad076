package dev.cdm.model.training;

import ai.djl.ndarray.NDArray;
import dev.cdm.model.precond.ForwardingDenoiser;
import dev.cdm.model.precond.Precision;
import dev.cdm.model.precond.Precond;

/**
 * The same network evaluated at another execution precision (for CDM's no-grad chains, whose
 * results carry no gradient and whose cost dominates a CDM step), through the precond's per-call
 * precision (the network itself is not changed).
 */
public final class PrecisionView extends ForwardingDenoiser {
  private final Precond precond;
  private final Precision precision;

  public PrecisionView(Precond precond, Precision precision) {
    super(precond);
    this.precond = precond;
    this.precision = precision;
  }

  @Override
  public NDArray denoise(NDArray x, NDArray sigma, NDArray classLabels, NDArray augmentLabels) {
    return precond.denoise(x, sigma, classLabels, augmentLabels, precision);
  }
}

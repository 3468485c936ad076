package dev.cdm.model.precond;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.cdm.model.nn.HostScalars;
import java.util.Map;

/**
 * The noise-predicting preconditioning that VP and iDDPM share (EDM paper Table 1: their c_skip,
 * c_out and c_in rows are the same): F sees a unit-variance input and predicts the noise, {@code
 * D(x; sigma) = x - sigma F(x / sqrt(sigma^2 + 1); c_noise)}. The subclasses differ in c_noise
 * only.
 */
abstract class EpsilonPrecond extends Precond {

  EpsilonPrecond(
      String className,
      Map<String, Object> initKwargs,
      NDManager parent,
      String defaultModelType,
      int outChannelsFactor) {
    super(className, initKwargs, parent, defaultModelType, outChannelsFactor);
  }

  /** 1. */
  @Override
  public final NDArray cSkip(NDArray sigma) {
    return sigma.onesLike();
  }

  /** -sigma. */
  @Override
  public final NDArray cOut(NDArray sigma) {
    return sigma.neg();
  }

  /** 1 / sqrt(sigma^2 + 1). */
  @Override
  public final NDArray cIn(NDArray sigma) {
    return HostScalars.rdiv(1, HostScalars.add(sigma.square(), 1).sqrt());
  }
}

package dev.cdm.model.precond;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.cdm.model.nn.HostScalars;
import dev.cdm.model.nn.Kwargs;
import java.util.Map;

/** Variance-exploding preconditioning (Song et al. score SDE; EDM paper Table 1, "VE"). */
public final class VEPrecond extends Precond {

  public VEPrecond(Map<String, Object> initKwargs, NDManager manager) {
    super("VEPrecond", initKwargs, manager, "SongUNet", 1);
  }

  @Override
  protected void readOwnKwargs(Kwargs kw) {
    setSigmaRange(kw.getDouble("sigma_min", 0.02), kw.getDouble("sigma_max", 100.0));
  }

  /** 1. */
  @Override
  public NDArray cSkip(NDArray sigma) {
    return sigma.onesLike();
  }

  /** sigma. */
  @Override
  public NDArray cOut(NDArray sigma) {
    return sigma;
  }

  /** 1. */
  @Override
  public NDArray cIn(NDArray sigma) {
    return sigma.onesLike();
  }

  /** ln(sigma / 2). */
  @Override
  public NDArray cNoise(NDArray sigma) {
    return HostScalars.mul(sigma, 0.5).log();
  }
}

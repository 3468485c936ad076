package dev.cdm.model.precond;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.cdm.model.nn.HostScalars;
import dev.cdm.model.nn.Kwargs;
import java.util.Map;

/** The EDM paper's preconditioning (Table 1, "ours"), unit-variance input and target for F. */
public final class EDMPrecond extends Precond {
  private double sigmaData;

  public EDMPrecond(Map<String, Object> initKwargs, NDManager manager) {
    super("EDMPrecond", initKwargs, manager, "DhariwalUNet", 1);
  }

  @Override
  protected void readOwnKwargs(Kwargs kw) {
    setSigmaRange(
        kw.getDouble("sigma_min", 0.0), kw.getDouble("sigma_max", Double.POSITIVE_INFINITY));
    sigmaData = kw.getDouble("sigma_data", 0.5);
  }

  public double sigmaData() {
    return sigmaData;
  }

  /** sigma_data^2 / (sigma^2 + sigma_data^2). */
  @Override
  public NDArray cSkip(NDArray sigma) {
    double sd2 = sigmaData * sigmaData;
    return HostScalars.rdiv(sd2, HostScalars.add(sigma.square(), sd2));
  }

  /** sigma * sigma_data / sqrt(sigma^2 + sigma_data^2). */
  @Override
  public NDArray cOut(NDArray sigma) {
    double sd2 = sigmaData * sigmaData;
    return HostScalars.mul(sigma, sigmaData).div(HostScalars.add(sigma.square(), sd2).sqrt());
  }

  /** 1 / sqrt(sigma_data^2 + sigma^2). */
  @Override
  public NDArray cIn(NDArray sigma) {
    double sd2 = sigmaData * sigmaData;
    return HostScalars.rdiv(1, HostScalars.add(sigma.square(), sd2).sqrt());
  }

  /** ln(sigma) / 4. */
  @Override
  public NDArray cNoise(NDArray sigma) {
    return HostScalars.div(sigma.log(), 4);
  }
}

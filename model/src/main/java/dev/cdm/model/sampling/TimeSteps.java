package dev.cdm.model.sampling;

import static dev.cdm.model.nn.HostScalars.div;
import static dev.cdm.model.nn.HostScalars.pow;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.cdm.model.precond.Denoiser;

/** Time-step discretisations shared by the samplers, computed in float64 like the reference. */
public final class TimeSteps {
  private TimeSteps() {}

  /**
   * The EDM discretisation (EDM eq. 5; {@code edm_schedule} of the CDM repo, also the schedule of
   * {@code edm_sampler}): (σ_max^(1/ρ) + i/(N−1) (σ_min^(1/ρ) − σ_max^(1/ρ)))^ρ for i = 0..N−1,
   * without the final 0, along the last axis: per-sample ranges come as [..., 1] arrays (the CDM
   * loss), one range as 0-d arrays. float64, as the reference's arange. N = 1 divides by zero, as
   * in the reference (0/0 = nan).
   */
  public static NDArray edm(NDArray sigmaMin, NDArray sigmaMax, double rho, int numSteps) {
    NDManager m = sigmaMin.getManager();
    NDArray idx = div(m.arange(0, numSteps, 1, DataType.FLOAT64), numSteps - 1);
    NDArray hi = pow(sigmaMax.toType(DataType.FLOAT64, false), 1 / rho);
    NDArray lo = pow(sigmaMin.toType(DataType.FLOAT64, false), 1 / rho);
    return pow(hi.add(idx.mul(lo.sub(hi))), rho);
  }

  /** {@link #edm(NDArray, NDArray, double, int)} of one range, computed on the host. */
  public static double[] edm(double sigmaMin, double sigmaMax, double rho, int numSteps) {
    try (NDManager host = NDManager.newBaseManager(Device.cpu())) {
      Shape scalar = new Shape();
      return edm(
              Steps.full(host, scalar, sigmaMin), Steps.full(host, scalar, sigmaMax), rho, numSteps)
          .toDoubleArray();
    }
  }

  /** {@code net.round_sigma} applied to each value (float64 in, float64 out). */
  public static double[] roundSigma(Denoiser net, NDManager manager, double[] sigma) {
    // On the host: for the usual identity rounding nothing touches the device (an upload and a
    // read-back per step otherwise); iDDPM's table lookup moves the values to the table's device.
    try (NDManager scratch = manager.newSubManager(Device.cpu())) {
      NDArray in = scratch.create(sigma);
      return net.roundSigma(in).toType(DataType.FLOAT64, false).toDoubleArray();
    }
  }

  /** {@code net.round_sigma} of one value. */
  public static double roundSigma(Denoiser net, NDManager manager, double sigma) {
    return roundSigma(net, manager, new double[] {sigma})[0];
  }

  /** {@code torch.cat([t, zeros(1)])}: appends t_N = 0. */
  public static double[] appendZero(double[] t) {
    double[] out = java.util.Arrays.copyOf(t, t.length + 1);
    out[t.length] = 0;
    return out;
  }

  /**
   * EDM's churn factor {@code gamma_i}: {@code min(S_churn/N, sqrt(2)-1)} inside [S_min, S_max].
   */
  public static double gamma(double tCur, double sChurn, double sMin, double sMax, int numSteps) {
    return (sMin <= tCur && tCur <= sMax) ? Math.min(sChurn / numSteps, Math.sqrt(2) - 1) : 0;
  }
}

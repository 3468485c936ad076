package dev.cdm.model.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.cdm.model.precond.Denoiser;

/** Time-step discretisations shared by the samplers, computed in float64 like the reference. */
public final class TimeSteps {
  private TimeSteps() {}

  /**
   * The EDM discretisation (EDM eq. 5, {@code edm_schedule} in the CDM repo):
   * {@code (sigma_max^(1/rho) + i/(N-1) * (sigma_min^(1/rho) - sigma_max^(1/rho)))^rho} for
   * i = 0..N-1, without the final 0.
   */
  public static double[] edm(double sigmaMin, double sigmaMax, double rho, int numSteps) {
    double[] t = new double[numSteps];
    double a = Math.pow(sigmaMax, 1 / rho);
    double b = Math.pow(sigmaMin, 1 / rho) - a;
    for (int i = 0; i < numSteps; i++) {
      // numSteps == 1 divides by zero in the reference too (0/0 = nan); keep the same result.
      t[i] = Math.pow(a + i / (double) (numSteps - 1) * b, rho);
    }
    return t;
  }

  /** {@code net.round_sigma} applied to each value (float64 in, float64 out). */
  public static double[] roundSigma(Denoiser net, NDManager manager, double[] sigma) {
    // On the host: for the usual identity rounding nothing touches the device (an upload and a
    // read-back per step otherwise); iDDPM's table lookup moves the values to the table's device.
    try (NDManager scratch = manager.newSubManager(ai.djl.Device.cpu())) {
      NDArray in = scratch.create(sigma);
      return net.roundSigma(in).toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray();
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

  /** EDM's churn factor {@code gamma_i}: {@code min(S_churn/N, sqrt(2)-1)} inside [S_min, S_max]. */
  public static double gamma(double tCur, double sChurn, double sMin, double sMax, int numSteps) {
    return (sMin <= tCur && tCur <= sMax) ? Math.min(sChurn / numSteps, Math.sqrt(2) - 1) : 0;
  }
}

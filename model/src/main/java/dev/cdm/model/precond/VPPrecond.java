package dev.cdm.model.precond;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.cdm.model.nn.HostScalars;
import dev.cdm.model.nn.Kwargs;
import java.util.Map;

/**
 * Variance-preserving preconditioning (Song et al. score SDE; EDM paper Table 1, "VP"): {@code
 * sigma(t) = sqrt(exp(beta_d t^2 / 2 + beta_min t) - 1)}, c_noise = (M - 1) sigma^-1(sigma);
 * c_skip, c_out and c_in are the noise-predicting ones of {@code EpsilonPrecond}.
 */
public final class VPPrecond extends EpsilonPrecond {
  private double betaD;
  private double betaMin;
  private int bigM;
  private double epsilonT;

  public VPPrecond(Map<String, Object> initKwargs, NDManager manager) {
    super("VPPrecond", initKwargs, manager, "SongUNet", 1);
  }

  @Override
  protected void readOwnKwargs(Kwargs kw) {
    betaD = kw.getDouble("beta_d", 19.9);
    betaMin = kw.getDouble("beta_min", 0.1);
    bigM = kw.getInt("M", 1000);
    epsilonT = kw.getDouble("epsilon_t", 1e-5);
    // The reference evaluates these on float32 tensors.
    setSigmaRange(sigmaF32((float) epsilonT), sigmaF32(1f));
  }

  private float sigmaF32(float t) {
    float e = (float) Math.exp((float) (0.5 * betaD) * (t * t) + (float) betaMin * t);
    return (float) Math.sqrt(e - 1f);
  }

  public double betaD() {
    return betaD;
  }

  public double betaMin() {
    return betaMin;
  }

  public int bigM() {
    return bigM;
  }

  public double epsilonT() {
    return epsilonT;
  }

  /** sigma(t) = sqrt(exp(0.5 beta_d t^2 + beta_min t) - 1), elementwise. */
  public NDArray sigma(NDArray t) {
    NDArray exponent = HostScalars.mul(t.square(), 0.5 * betaD).add(HostScalars.mul(t, betaMin));
    return HostScalars.sub(exponent.exp(), 1).sqrt();
  }

  /** sigma^-1(sigma) = (sqrt(beta_min^2 + 2 beta_d ln(1 + sigma^2)) - beta_min) / beta_d. */
  public NDArray sigmaInv(NDArray sigma) {
    NDArray log1p = HostScalars.add(sigma.square(), 1).log();
    NDArray root = HostScalars.add(HostScalars.mul(log1p, 2 * betaD), betaMin * betaMin).sqrt();
    return HostScalars.div(HostScalars.sub(root, betaMin), betaD);
  }

  /** Scalar sigma(t) in double precision (for schedules computed on the host). */
  public double sigma(double t) {
    return Math.sqrt(Math.exp(0.5 * betaD * t * t + betaMin * t) - 1);
  }

  /** Scalar sigma^-1 in double precision. */
  public double sigmaInv(double sigma) {
    return (Math.sqrt(betaMin * betaMin + 2 * betaD * Math.log(1 + sigma * sigma)) - betaMin)
        / betaD;
  }

  /** (M - 1) sigma^-1(sigma). */
  @Override
  public NDArray cNoise(NDArray sigma) {
    return HostScalars.mul(sigmaInv(sigma.toType(DataType.FLOAT32, false)), bigM - 1);
  }
}

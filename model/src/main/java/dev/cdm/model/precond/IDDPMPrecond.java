package dev.cdm.model.precond;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.cdm.model.nn.HostScalars;
import dev.cdm.model.nn.Kwargs;
import java.util.Map;

/**
 * Improved DDPM preconditioning (Nichol and Dhariwal; EDM paper Table 1, "iDDPM"): a table {@code
 * u} of M + 1 discrete noise levels from the cosine schedule; {@code round_sigma} snaps to it and
 * c_noise is the index. The model predicts 2C channels (mean and variance); D uses the first C.
 * c_skip, c_out and c_in are the noise-predicting ones of {@code EpsilonPrecond}.
 */
public final class IDDPMPrecond extends EpsilonPrecond {
  private double c1;
  private double c2;
  private int bigM;

  public IDDPMPrecond(Map<String, Object> initKwargs, NDManager manager) {
    super("iDDPMPrecond", initKwargs, manager, "DhariwalUNet", 2);
  }

  @Override
  protected void readOwnKwargs(Kwargs kw) {
    c1 = kw.getDouble("C_1", 0.001);
    c2 = kw.getDouble("C_2", 0.008);
    bigM = kw.getInt("M", 1000);
  }

  @Override
  protected void afterModel() {
    // u[j-1] = sqrt((u[j]^2 + 1) / max(alpha_bar(j-1) / alpha_bar(j), C_1) - 1), in float32 as the
    // reference computes it.
    float[] u = new float[bigM + 1];
    for (int j = bigM; j > 0; j--) {
      float ratio = Math.max(alphaBar(j - 1) / alphaBar(j), (float) c1);
      u[j - 1] = (float) Math.sqrt((u[j] * u[j] + 1f) / ratio - 1f);
    }
    addBuffer("u", manager.create(u));
    stateLoaded();
  }

  @Override
  protected void stateLoaded() {
    float[] u = p("u").toFloatArray();
    setSigmaRange(u[bigM - 1], u[0]);
  }

  /** alpha_bar(j) = sin(pi/2 * j / M / (C_2 + 1))^2 in float32. */
  public float alphaBar(int j) {
    float a = (float) (0.5 * Math.PI) * j / bigM / (float) (c2 + 1);
    float s = (float) Math.sin(a);
    return s * s;
  }

  /** The table of M + 1 noise levels, u[0] the largest. */
  public NDArray u() {
    return p("u");
  }

  public int bigM() {
    return bigM;
  }

  /** Index of the nearest entry of u for each sigma (first on ties, as torch's argmin). */
  public NDArray roundSigmaIndex(NDArray sigma) {
    NDArray u = p("u");
    NDArray s = sigma.toType(DataType.FLOAT32, false).toDevice(u.getDevice(), false).reshape(-1, 1);
    NDArray row = u.reshape(1, -1);
    row.attach(s.getManager()); // results belong to the first operand's manager: keep u's clean
    return s.sub(row).abs().argMin(1).reshape(sigma.getShape());
  }

  @Override
  public NDArray roundSigma(NDArray sigma) {
    NDManager caller = sigma.getManager();
    try (NDManager sub = caller.newSubManager()) {
      sigma.tempAttach(sub);
      NDArray idx = roundSigmaIndex(sigma);
      NDArray picked = p("u").get(idx.flatten());
      picked.attach(sub);
      NDArray r =
          picked
              .toType(sigma.getDataType(), false)
              .reshape(sigma.getShape())
              .toDevice(sigma.getDevice(), false);
      r.attach(caller);
      return r;
    }
  }

  /** M - 1 - index of the nearest u. */
  @Override
  public NDArray cNoise(NDArray sigma) {
    return HostScalars.rsub(bigM - 1, roundSigmaIndex(sigma).toType(DataType.FLOAT32, false));
  }

  @Override
  protected NDArray modelOutput(NDArray fx) {
    return fx.get(":, :{}", imgChannels);
  }
}

package dev.cdm.model.training;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * The exponential moving average of the weights that the reference snapshots: half-life in images,
 * optionally ramped up to {@code ramp_up_ratio} of the images seen so far, so early training is not
 * dominated by the random initialisation. β = 0.5^(batch / half-life); p_ema ← lerp(p, p_ema, β).
 */
public final class Ema {
  private final double halfLifeKimg;
  private final Double rampUpRatio;

  /** {@code rampUpRatio} null disables the ramp-up (the reference does so for transfer learning). */
  public Ema(double halfLifeKimg, Double rampUpRatio) {
    this.halfLifeKimg = halfLifeKimg;
    this.rampUpRatio = rampUpRatio;
  }

  /** β for a step of {@code batchSize} images taken at {@code curNimg} images seen. */
  public double beta(long curNimg, int batchSize) {
    double halfLifeNimg = halfLifeKimg * 1000;
    if (rampUpRatio != null) {
      halfLifeNimg = Math.min(halfLifeNimg, curNimg * rampUpRatio);
    }
    return Math.pow(0.5, batchSize / Math.max(halfLifeNimg, 1e-8));
  }

  /**
   * p_ema.copy_(p_net.lerp(p_ema, beta)) for every parameter, in place, with torch's two-sided lerp
   * formula (start + w (end − start) for w &lt; 0.5, end − (end − start)(1 − w) otherwise).
   */
  public static void update(Map<String, NDArray> ema, Map<String, NDArray> net, double beta) {
    Autograd.noGrad(
        () -> {
          for (Map.Entry<String, NDArray> e : ema.entrySet()) {
            NDArray p = net.get(e.getKey());
            NDArray pe = e.getValue();
            if (p.getDevice() != pe.getDevice() && !p.getDevice().equals(pe.getDevice())) {
              p = p.toDevice(pe.getDevice(), false);
            }
            if (beta >= 0.5) {
              try (NDArray d = pe.sub(p)) {
                pe.subi(d.muli(1 - beta));
              }
            } else {
              try (NDArray d = pe.sub(p)) {
                Tensors.assign(pe, d.muli(beta).addi(p));
              }
            }
          }
          return null;
        });
  }
}

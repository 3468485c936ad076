package dev.cdm.model.training;

import ai.djl.ndarray.NDArray;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * torch.optim.Adam (no weight decay, no amsgrad) with the reference's betas (0.9, 0.999) and eps
 * 1e-8, updating parameters in place with torch's arithmetic order:
 * m ← lerp(m, g, 1−β₁); v ← β₂ v + (1−β₂) g²; p ← p − (lr / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + eps).
 * The moments live on the parameters' device and are part of the training state.
 */
public final class Adam {
  private final double beta1;
  private final double beta2;
  private final double eps;
  private final Map<String, NDArray> expAvg = new LinkedHashMap<>();
  private final Map<String, NDArray> expAvgSq = new LinkedHashMap<>();
  private long step;

  public Adam(double beta1, double beta2, double eps) {
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
  }

  /** The reference's optimizer: betas (0.9, 0.999), eps 1e-8. */
  public Adam() {
    this(0.9, 0.999, 1e-8);
  }

  public long step() {
    return step;
  }

  /** One update of every parameter that has a gradient in {@code grads}, at learning rate {@code lr}. */
  public void update(Map<String, NDArray> params, Map<String, NDArray> grads, double lr) {
    Autograd.noGrad(
        () -> {
          updateNoGrad(params, grads, lr);
          return null;
        });
  }

  private void updateNoGrad(Map<String, NDArray> params, Map<String, NDArray> grads, double lr) {
    step++;
    double bc1 = 1 - Math.pow(beta1, step);
    double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
    double stepSize = lr / bc1;
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      NDArray g = grads.get(e.getKey());
      if (g == null) {
        continue;
      }
      NDArray p = e.getValue();
      NDArray m = expAvg.computeIfAbsent(e.getKey(), k -> detachedZeros(p));
      NDArray v = expAvgSq.computeIfAbsent(e.getKey(), k -> detachedZeros(p));
      // exp_avg.lerp_(grad, 1 - beta1)
      try (NDArray d = g.sub(m)) {
        m.addi(d.muli(1 - beta1));
      }
      // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
      try (NDArray g2 = g.mul(g)) {
        v.muli(beta2).addi(g2.muli(1 - beta2));
      }
      // denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps); p.addcdiv_(m, denom, -step_size)
      try (NDArray denom = v.sqrt();
          NDArray upd = m.div(denom.divi(bc2Sqrt).addi(eps))) {
        p.subi(upd.muli(stepSize));
      }
    }
  }

  private static NDArray detachedZeros(NDArray p) {
    NDArray z = p.zerosLike();
    z.attach(p.getManager());
    return z;
  }

  /** Moments by parameter name, for the training state ({@code exp_avg}, {@code exp_avg_sq}). */
  public Map<String, NDArray> expAvg() {
    return expAvg;
  }

  public Map<String, NDArray> expAvgSq() {
    return expAvgSq;
  }

  /** Restores moments and step count from a training state. */
  public void restore(Map<String, NDArray> m, Map<String, NDArray> v, long step) {
    expAvg.clear();
    expAvg.putAll(m);
    expAvgSq.clear();
    expAvgSq.putAll(v);
    this.step = step;
  }
}

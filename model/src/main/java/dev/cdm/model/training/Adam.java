package dev.cdm.model.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import dev.cdm.model.nn.HostScalars;
import dev.cdm.model.torch.Autograd;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * torch.optim.Adam (no weight decay, no amsgrad) with the reference's betas (0.9, 0.999) and eps
 * 1e-8, with torch's arithmetic per element: m ← m + (1−β₁)(g − m); v ← β₂ v + (1−β₂) g²; p ← p −
 * (lr / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + eps).
 *
 * <p>The moments of all parameters live in two flat buffers and the update is computed on the flat
 * gradient in a handful of kernels (like torch's multi-tensor "foreach" Adam that the reference
 * uses on the GPU), then applied to each parameter through views of the flat update. Elementwise
 * arithmetic is the same as a per-tensor loop, so the results are too.
 */
public final class Adam {
  private final double beta1;
  private final double beta2;
  private final double eps;
  private NDArray expAvg; // flat [P]
  private NDArray expAvgSq; // flat [P]
  private List<String> names;
  private List<Shape> shapes;
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

  /**
   * The arrays flattened into one new buffer [P] (a copy), in order. The buffer joins the first
   * array's manager: the caller closes it.
   */
  public static NDArray flatten(List<NDArray> arrays) {
    NDList flat = new NDList();
    for (NDArray a : arrays) {
      flat.add(a.reshape(-1));
    }
    NDArray out = NDArrays.concat(flat, 0);
    flat.close(); // the reshaped views only
    return out;
  }

  /**
   * Views of {@code flat} shaped like {@code shapes}, in order. Views keep the buffer's storage
   * alive and join its manager: the caller closes them ({@link #close}) when done.
   */
  public static List<NDArray> unflatten(NDArray flat, List<Shape> shapes) {
    long[] cuts = new long[shapes.size() - 1];
    long off = 0;
    for (int i = 0; i < cuts.length; i++) {
      off += shapes.get(i).size();
      cuts[i] = off;
    }
    NDList parts = cuts.length == 0 ? new NDList(flat.reshape(-1)) : flat.split(cuts);
    List<NDArray> out = new ArrayList<>();
    for (int i = 0; i < shapes.size(); i++) {
      out.add(parts.get(i).reshape(shapes.get(i)));
    }
    parts.close();
    return out;
  }

  /** Closes temporary arrays (views from {@link #unflatten}). */
  public static void close(List<NDArray> arrays) {
    for (NDArray a : arrays) {
      a.close();
    }
  }

  /**
   * One update of every parameter from the flat gradient {@code grad} [P], at learning rate {@code
   * lr}.
   */
  public void update(LinkedHashMap<String, NDArray> params, NDArray grad, double lr) {
    update(params, null, grad, lr);
  }

  /**
   * As {@link #update(LinkedHashMap, NDArray, double)}, with the update applied in one op to {@code
   * flatParams} [P], the buffer whose views {@code params} are ({@link FlatParameters}); {@code
   * flatParams} null: applied to each parameter.
   */
  public void update(
      LinkedHashMap<String, NDArray> params, NDArray flatParams, NDArray grad, double lr) {
    Autograd.noGrad(
        () -> {
          if (expAvg == null) {
            names = new ArrayList<>(params.keySet());
            shapes = new ArrayList<>();
            for (NDArray p : params.values()) {
              shapes.add(p.getShape());
            }
            expAvg = grad.zerosLike();
            expAvgSq = grad.zerosLike();
            NDArray anchor = params.values().iterator().next();
            expAvg.attach(anchor.getManager());
            expAvgSq.attach(anchor.getManager());
          }
          step++;
          double bc1 = 1 - Math.pow(beta1, step);
          double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
          double stepSize = lr / bc1;
          try (NDArray d = grad.sub(expAvg)) {
            expAvg.addi(HostScalars.muli(d, 1 - beta1)); // exp_avg.lerp_(grad, 1 - beta1)
          }
          try (NDArray g2 = grad.mul(grad)) {
            HostScalars.muli(expAvgSq, beta2)
                .addi(HostScalars.muli(g2, 1 - beta2)); // mul_(beta2).addcmul_(g, g, 1 - beta2)
          }
          try (NDArray denom = expAvgSq.sqrt();
              NDArray upd = expAvg.div(HostScalars.addi(HostScalars.divi(denom, bc2Sqrt), eps))) {
            HostScalars.muli(upd, stepSize);
            if (flatParams != null) {
              flatParams.subi(upd); // every param.addcdiv_(exp_avg, denom, value=-step_size)
              return null;
            }
            List<NDArray> views = unflatten(upd, shapes);
            int i = 0;
            for (NDArray p : params.values()) {
              p.subi(views.get(i++)); // param.addcdiv_(exp_avg, denom, value=-step_size)
            }
            close(views);
          }
          return null;
        });
  }

  /** exp_avg by parameter name (views of the flat buffer), for the training state. */
  public Map<String, NDArray> expAvg() {
    return named(expAvg);
  }

  /** exp_avg_sq by parameter name (views of the flat buffer). */
  public Map<String, NDArray> expAvgSq() {
    return named(expAvgSq);
  }

  private Map<String, NDArray> named(NDArray flat) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    if (flat == null) {
      return out;
    }
    List<NDArray> views = unflatten(flat, shapes);
    for (int i = 0; i < names.size(); i++) {
      out.put(names.get(i), views.get(i));
    }
    return out;
  }

  /**
   * Restores moments and step count from a training state, for {@code params}' order and device.
   */
  public void restore(
      LinkedHashMap<String, NDArray> params,
      Map<String, NDArray> m,
      Map<String, NDArray> v,
      long step) {
    names = new ArrayList<>(params.keySet());
    shapes = new ArrayList<>();
    List<NDArray> ms = new ArrayList<>();
    List<NDArray> vs = new ArrayList<>();
    NDArray anchor = params.values().iterator().next();
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      shapes.add(e.getValue().getShape());
      NDArray a = m.get(e.getKey());
      NDArray b = v.get(e.getKey());
      if (a == null || b == null) {
        throw new IllegalArgumentException(
            "training state has no optimizer moments for '" + e.getKey() + "'");
      }
      ms.add(a);
      vs.add(b);
    }
    expAvg = flatten(ms).toDevice(anchor.getDevice(), false);
    expAvgSq = flatten(vs).toDevice(anchor.getDevice(), false);
    expAvg.attach(anchor.getManager());
    expAvgSq.attach(anchor.getManager());
    this.step = step;
  }
}

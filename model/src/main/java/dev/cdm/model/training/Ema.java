package dev.cdm.model.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.cdm.model.nn.HostScalars;
import dev.cdm.model.torch.Autograd;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The exponential moving average of the weights that the reference snapshots: half-life in images,
 * optionally ramped up to {@code ramp_up_ratio} of the images seen so far, so early training is not
 * dominated by the random initialisation. β = 0.5^(batch / half-life); p_ema ← lerp(p, p_ema, β).
 */
public final class Ema {
  private final double halfLifeKimg;
  private final Double rampUpRatio;

  /**
   * {@code rampUpRatio} null disables the ramp-up (the reference does so for transfer learning).
   */
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
   * formula (start + w (end − start) for w &lt; 0.5, end − (end − start)(1 − w) otherwise), in
   * place on the EMA's flat parameter buffer {@code ema} [P] against the network's {@code net} [P]
   * ({@link FlatParameters}), in two or three kernels.
   */
  public static void update(NDArray ema, NDArray net, double beta) {
    Autograd.noGrad(
        () -> {
          NDArray p =
              net.getDevice().equals(ema.getDevice()) ? net : net.toDevice(ema.getDevice(), true);
          if (beta >= 0.5) {
            try (NDArray d = ema.sub(p)) {
              ema.subi(HostScalars.muli(d, 1 - beta)); // end - (end - start) (1 - w)
            }
          } else {
            HostScalars.muli(ema.subi(p), beta).addi(p); // (end - start) w + start
          }
          if (p != net) {
            p.close();
          }
          return null;
        });
  }

  /**
   * As {@link #update(NDArray, NDArray, double)} for every parameter of two networks by name,
   * computed on flat copies and written back through views.
   */
  public static void update(Map<String, NDArray> ema, Map<String, NDArray> net, double beta) {
    Autograd.noGrad(
        () -> {
          List<NDArray> e = new ArrayList<>(ema.values());
          List<NDArray> n = new ArrayList<>();
          List<Shape> shapes = new ArrayList<>();
          for (Map.Entry<String, NDArray> x : ema.entrySet()) {
            n.add(net.get(x.getKey()));
            shapes.add(x.getValue().getShape());
          }
          try (NDArray pe = Adam.flatten(e);
              NDArray flatNet = Adam.flatten(n);
              NDArray p = flatNet.toDevice(pe.getDevice(), true);
              NDArray d = pe.sub(p);
              NDArray next =
                  beta >= 0.5
                      ? pe.sub(HostScalars.muli(d, 1 - beta))
                      : p.add(HostScalars.muli(d, beta))) {
            List<NDArray> views = Adam.unflatten(next, shapes);
            for (int i = 0; i < e.size(); i++) {
              Tensors.assign(e.get(i), views.get(i));
            }
            Adam.close(views);
          }
          return null;
        });
  }
}

package dev.cdm.pipelines.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.cdm.model.precond.Denoiser;
import dev.cdm.transforms.generate.DenoiserFactory;

/**
 * A network-free denoiser for pipeline tests: the exact denoiser of N(0, 0.5^2) data, class
 * conditional by a per-class offset so that labels matter. Counts loads per JVM.
 */
final class GaussianNetwork implements DenoiserFactory {
  private static final long serialVersionUID = 1L;
  static final java.util.concurrent.atomic.AtomicInteger LOADS =
      new java.util.concurrent.atomic.AtomicInteger();

  final int channels;
  final int labels;

  GaussianNetwork(int channels, int labels) {
    this.channels = channels;
    this.labels = labels;
  }

  @Override
  public Denoiser load(NDManager manager) {
    LOADS.incrementAndGet();
    return new Denoiser() {
      @Override
      public NDArray denoise(NDArray x, NDArray sigma, NDArray classLabels, NDArray augmentLabels) {
        double s2 = 0.25;
        NDArray sg = sigma.toType(DataType.FLOAT64, false).reshape(-1, 1, 1, 1);
        NDArray w = sg.square().add(s2).pow(-1).mul(s2);
        NDArray d = x.toType(DataType.FLOAT64, false).mul(w);
        if (classLabels != null) {
          // Mean of class k is 0.1 k: D = mu + (x - mu) w.
          NDArray k =
              classLabels.toType(DataType.FLOAT64, false).argMax(1).toType(DataType.FLOAT64, false);
          NDArray mu = k.mul(0.1).reshape(-1, 1, 1, 1);
          d = d.add(mu.mul(w.neg().add(1)));
        }
        return d.toType(DataType.FLOAT32, false);
      }

      @Override
      public NDArray roundSigma(NDArray sigma) {
        return sigma;
      }

      @Override
      public double sigmaMin() {
        return 0;
      }

      @Override
      public double sigmaMax() {
        return Double.POSITIVE_INFINITY;
      }

      @Override
      public int imgResolution() {
        return 8;
      }

      @Override
      public int imgChannels() {
        return channels;
      }

      @Override
      public int labelDim() {
        return labels;
      }
    };
  }
}

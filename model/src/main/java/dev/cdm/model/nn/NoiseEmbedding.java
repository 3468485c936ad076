package dev.cdm.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/** Maps the noise label {@code c_noise} [N] to an embedding [N, num_channels]. */
public abstract class NoiseEmbedding extends Module {
  public abstract NDArray forward(Forward f, NDArray x);

  /** {@code cat([cos(x ger freqs), sin(x ger freqs)], dim=1)}. */
  static NDArray cosSin(NDArray x, NDArray freqs) {
    NDArray a = Ops.ger(x, freqs);
    return NDArrays.concat(new NDList(a.cos(), a.sin()), 1);
  }

  /** Timestep embedding of DDPM++ and ADM (transformer-style sinusoids). */
  public static final class Positional extends NoiseEmbedding {
    public final int numChannels;
    public final int maxPositions;
    public final boolean endpoint;

    public Positional(int numChannels, int maxPositions, boolean endpoint) {
      this.numChannels = numChannels;
      this.maxPositions = maxPositions;
      this.endpoint = endpoint;
    }

    @Override
    public NDArray forward(Forward f, NDArray x) {
      int half = numChannels / 2;
      // Same float32 operations as the reference, so large c_noise (VP: up to 999) agree.
      NDArray freqs = f.manager().arange(0f, half, 1f, DataType.FLOAT32, x.getDevice());
      freqs = HostScalars.div(freqs, half - (endpoint ? 1 : 0));
      freqs = HostScalars.rpow(1.0 / maxPositions, freqs);
      return cosSin(x, freqs.toType(x.getDataType(), false));
    }
  }

  /** Random Fourier features of NCSN++: fixed frequencies {@code randn(C/2) * scale} (a buffer). */
  public static final class Fourier extends NoiseEmbedding {
    public Fourier(NDManager m, int numChannels, double scale) {
      if (WeightInit.skipping()) {
        addBuffer("freqs", m.zeros(new Shape(numChannels / 2)));
        return;
      }
      // Drawn on the CPU generator, as the reference (see WeightInit.draw).
      try (NDManager cpu = NDManager.newBaseManager(ai.djl.Device.cpu())) {
        NDArray f = cpu.randomNormal(new Shape(numChannels / 2)).muli((float) scale);
        NDArray onDevice = f.toDevice(m.getDevice(), true);
        onDevice.attach(m);
        addBuffer("freqs", onDevice);
      }
    }

    @Override
    public NDArray forward(Forward f, NDArray x) {
      NDArray freqs = HostScalars.mul(p("freqs"), 2 * Math.PI);
      freqs.attach(f.manager());
      return cosSin(x, freqs.toType(x.getDataType(), false));
    }
  }
}

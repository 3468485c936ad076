package dev.cdm.model.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.cdm.model.nn.HostScalars;
import dev.cdm.model.precond.Denoiser;
import dev.cdm.model.torch.TorchRandom;

/**
 * The sampling part of {@code example.py}'s {@code generate_image_grid}: one {@code
 * torch.manual_seed(seed)}, then latents [B, C, H, W] and labels {@code randint(label_dim, [B])}
 * from the global generator (or one latent and label repeated with {@code sameLatents}), then
 * {@link DeterministicStep} over the EDM time steps (Euler unless {@code secondOrder}).
 */
public final class ExampleSampler {
  private ExampleSampler() {}

  /** Returns x_N [B, C, H, W] float64 on {@code manager}'s device. */
  public static NDArray sample(
      Denoiser net,
      NDManager manager,
      long seed,
      int batchSize,
      int numSteps,
      double sigmaMin,
      double sigmaMax,
      double rho,
      boolean sameLatents,
      boolean secondOrder) {
    int c = net.imgChannels();
    int r = net.imgResolution();
    NDArray latents;
    NDArray classLabels = null;
    synchronized (TorchRandom.LOCK) {
      TorchRandom.manualSeed(seed);
      int drawn = sameLatents ? 1 : batchSize;
      latents = manager.randomNormal(0f, 1f, new Shape(drawn, c, r, r), DataType.FLOAT32);
      if (net.labelDim() > 0) {
        NDArray idx = manager.randomInteger(0, net.labelDim(), new Shape(drawn), DataType.INT64);
        long[] labels = idx.toLongArray();
        idx.close();
        float[] oneHot = new float[batchSize * net.labelDim()];
        for (int b = 0; b < batchSize; b++) {
          oneHot[b * net.labelDim() + (int) labels[sameLatents ? 0 : b]] = 1f;
        }
        classLabels = manager.create(oneHot, new Shape(batchSize, net.labelDim()));
      }
    }
    if (sameLatents) {
      NDArray one = latents;
      latents = one.repeat(0, batchSize);
      one.close();
    }
    double lo = Math.max(sigmaMin, net.sigmaMin());
    double hi = Math.min(sigmaMax, net.sigmaMax());
    double[] t =
        TimeSteps.appendZero(
            TimeSteps.roundSigma(net, manager, TimeSteps.edm(lo, hi, rho, numSteps)));
    NDArray latents64 = latents.toType(DataType.FLOAT64, true);
    NDArray x = HostScalars.mul(latents64, t[0]);
    latents64.close();
    for (int i = 0; i < numSteps; i++) {
      NDArray next =
          DeterministicStep.step(net, x, classLabels, numSteps, t[i], t[i + 1], i, secondOrder);
      x.close();
      x = next;
    }
    latents.close();
    if (classLabels != null) {
      classLabels.close();
    }
    return x;
  }

  /**
   * Tiles [gridh * gridw, C, H, W] uint8 images into one [gridh * H, gridw * W, C] image, row by
   * row, as {@code example.py} does.
   */
  public static NDArray grid(NDArray images, int gridw, int gridh) {
    Shape s = images.getShape();
    long c = s.get(1);
    long h = s.get(2);
    long w = s.get(3);
    return images
        .reshape(gridh, gridw, c, h, w)
        .transpose(0, 3, 1, 4, 2)
        .reshape(gridh * h, gridw * w, c);
  }
}

package dev.cdm.model.loss;

import static dev.cdm.model.nn.HostScalars.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.cdm.model.augment.Augmentation;
import dev.cdm.model.precond.Denoiser;

/**
 * The variance exploding (VE) loss: sigma log-uniform in [sigma_min, sigma_max], weight 1 /
 * sigma^2.
 */
public final class VELoss implements Loss {
  private final double sigmaMin;
  private final double sigmaMax;

  public VELoss(double sigmaMin, double sigmaMax) {
    this.sigmaMin = sigmaMin;
    this.sigmaMax = sigmaMax;
  }

  /** The reference defaults: sigma_min=0.02, sigma_max=100. */
  public VELoss() {
    this(0.02, 100);
  }

  @Override
  public NDArray compute(
      Denoiser net, NDArray images, NDArray labels, Augmentation augment, RandomSource random) {
    long n = images.getShape().get(0);
    NDArray rndUniform = random.rand(images.getManager(), new Shape(n, 1, 1, 1), DataType.FLOAT32);
    // sigma_min * (sigma_max / sigma_min) ** u: a float32 base raised to the draw, as torch does.
    NDArray sigma = mul(rpow(sigmaMax / sigmaMin, rndUniform), sigmaMin);
    NDArray weight = rdiv(1, sigma.square());
    return Loss.weightedError(net, images, labels, augment, random, sigma, weight);
  }
}

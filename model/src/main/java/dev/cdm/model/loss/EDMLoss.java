package dev.cdm.model.loss;

import static dev.cdm.model.nn.HostScalars.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.cdm.model.augment.Augmentation;
import dev.cdm.model.precond.Denoiser;

/**
 * The EDM loss: ln(sigma) ~ N(P_mean, P_std^2), weight (sigma^2 + sigma_data^2) / (sigma
 * sigma_data)^2, which makes the effective training target unit-variance at every noise level.
 */
public final class EDMLoss implements Loss {
  final double pMean;
  final double pStd;
  final double sigmaData;

  public EDMLoss(double pMean, double pStd, double sigmaData) {
    this.pMean = pMean;
    this.pStd = pStd;
    this.sigmaData = sigmaData;
  }

  /** The reference defaults: P_mean=-1.2, P_std=1.2, sigma_data=0.5. */
  public EDMLoss() {
    this(-1.2, 1.2, 0.5);
  }

  /** sigma = exp(rnd_normal * P_std + P_mean) for a [N,1,1,1] draw. */
  NDArray drawSigma(NDArray images, RandomSource random) {
    long n = images.getShape().get(0);
    NDArray rndNormal = random.randn(images.getManager(), new Shape(n, 1, 1, 1), DataType.FLOAT32);
    return add(mul(rndNormal, pStd), pMean).exp();
  }

  NDArray weight(NDArray sigma) {
    return add(sigma.square(), sigmaData * sigmaData).div(mul(sigma, sigmaData).square());
  }

  @Override
  public NDArray compute(
      Denoiser net, NDArray images, NDArray labels, Augmentation augment, RandomSource random) {
    NDArray sigma = drawSigma(images, random);
    NDArray weight = weight(sigma);
    return Loss.weightedError(net, images, labels, augment, random, sigma, weight);
  }
}

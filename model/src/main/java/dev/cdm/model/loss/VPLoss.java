package dev.cdm.model.loss;

import static dev.cdm.model.nn.HostScalars.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.cdm.model.augment.Augmentation;
import dev.cdm.model.precond.Denoiser;

/**
 * The variance preserving (VP) loss of Song et al.: t uniform in [epsilon_t, 1], sigma(t) of the VP
 * SDE, weight 1 / sigma^2.
 */
public final class VPLoss implements Loss {
  private final double betaD;
  private final double betaMin;
  private final double epsilonT;

  public VPLoss(double betaD, double betaMin, double epsilonT) {
    this.betaD = betaD;
    this.betaMin = betaMin;
    this.epsilonT = epsilonT;
  }

  /** The reference defaults: beta_d=19.9, beta_min=0.1, epsilon_t=1e-5. */
  public VPLoss() {
    this(19.9, 0.1, 1e-5);
  }

  /** sigma(t) = sqrt(exp(0.5 beta_d t^2 + beta_min t) - 1). */
  public NDArray sigma(NDArray t) {
    return sub(mul(t.square(), 0.5 * betaD).add(mul(t, betaMin)).exp(), 1).sqrt();
  }

  @Override
  public NDArray compute(
      Denoiser net, NDArray images, NDArray labels, Augmentation augment, RandomSource random) {
    long n = images.getShape().get(0);
    NDArray rndUniform = random.rand(images.getManager(), new Shape(n, 1, 1, 1), DataType.FLOAT32);
    NDArray sigma = sigma(add(mul(rndUniform, epsilonT - 1), 1));
    NDArray weight = rdiv(1, sigma.square());
    return Loss.weightedError(net, images, labels, augment, random, sigma, weight);
  }
}

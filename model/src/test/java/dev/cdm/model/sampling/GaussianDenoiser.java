package dev.cdm.model.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.cdm.model.precond.Denoiser;

/**
 * The exact denoiser of data ~ N(0, s^2 I): D(x, sigma) = x s^2 / (s^2 + sigma^2). Its
 * probability-flow ODE has the closed form x(sigma) = x(sigma_max) sqrt((s^2+sigma^2) /
 * (s^2+sigma_max^2)), which lets sampler tests check convergence without a network.
 */
class GaussianDenoiser implements Denoiser {
  final double s;
  final int channels;
  final int resolution;
  final int labels;
  int calls;

  GaussianDenoiser(double s, int channels, int resolution, int labels) {
    this.s = s;
    this.channels = channels;
    this.resolution = resolution;
    this.labels = labels;
  }

  @Override
  public NDArray denoise(NDArray x, NDArray sigma, NDArray classLabels, NDArray augmentLabels) {
    calls++;
    NDArray x64 = x.toType(DataType.FLOAT64, false);
    NDArray sg = sigma.toType(DataType.FLOAT64, false).reshape(-1, 1, 1, 1);
    NDArray w = sg.square().add(s * s).pow(-1).mul(s * s);
    return x64.mul(w).toType(DataType.FLOAT32, false);
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
    return resolution;
  }

  @Override
  public int imgChannels() {
    return channels;
  }

  @Override
  public int labelDim() {
    return labels;
  }
}

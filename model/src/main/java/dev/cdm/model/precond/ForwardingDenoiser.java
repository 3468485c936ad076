package dev.cdm.model.precond;

import ai.djl.ndarray.NDArray;

/**
 * A {@link Denoiser} that forwards every call to another; subclasses override what they change
 * (e.g. the execution precision of {@code denoise}) without repeating the rest.
 */
public abstract class ForwardingDenoiser implements Denoiser {
  protected final Denoiser delegate;

  protected ForwardingDenoiser(Denoiser delegate) {
    this.delegate = delegate;
  }

  @Override
  public NDArray denoise(NDArray x, NDArray sigma, NDArray classLabels, NDArray augmentLabels) {
    return delegate.denoise(x, sigma, classLabels, augmentLabels);
  }

  @Override
  public NDArray roundSigma(NDArray sigma) {
    return delegate.roundSigma(sigma);
  }

  @Override
  public double sigmaMin() {
    return delegate.sigmaMin();
  }

  @Override
  public double sigmaMax() {
    return delegate.sigmaMax();
  }

  @Override
  public int imgResolution() {
    return delegate.imgResolution();
  }

  @Override
  public int imgChannels() {
    return delegate.imgChannels();
  }

  @Override
  public int labelDim() {
    return delegate.labelDim();
  }
}

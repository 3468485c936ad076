package dev.cdm.model.sampling;

import ai.djl.ndarray.NDArray;

/**
 * Where a sampler's {@code randn_like} draws come from. The reference passes either {@code
 * torch.randn_like} (the global generator) or a per-seed {@code StackedRandomGenerator}'s {@code
 * randn_like}; samplers see only this interface.
 */
public interface NoiseSource {

  /** A standard normal array with the shape, data type and device of {@code like}. */
  NDArray randnLike(NDArray like);
}

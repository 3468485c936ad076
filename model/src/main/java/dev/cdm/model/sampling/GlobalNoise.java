package dev.cdm.model.sampling;

import ai.djl.ndarray.NDArray;

/**
 * {@code torch.randn_like}: draws from libtorch's default generator of {@code like}'s device, as
 * the CDM samplers ({@code backward_sde_sampler}, {@code churn_sampler}, {@code example.py}) do
 * after a {@code torch.manual_seed}.
 */
public final class GlobalNoise implements NoiseSource {
  @Override
  public NDArray randnLike(NDArray like) {
    return like.getManager().randomNormal(0f, 1f, like.getShape(), like.getDataType());
  }
}

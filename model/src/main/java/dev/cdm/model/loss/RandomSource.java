package dev.cdm.model.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Where losses and the augment pipe get their random numbers. The reference calls {@code
 * torch.randn/randn_like/rand/rand_like/randint} inline; routing every draw through this interface
 * lets tests replay the draws the reference recorded ({@link ReplayRandomSource}) while production
 * uses the engine's generator ({@link EngineRandomSource}).
 */
public interface RandomSource {

  /**
   * Standard normal samples ({@code torch.randn}) of the given shape and type on {@code manager}'s
   * device.
   */
  NDArray randn(NDManager manager, Shape shape, DataType dtype);

  /** Uniform samples in [0, 1) ({@code torch.rand}). */
  NDArray rand(NDManager manager, Shape shape, DataType dtype);

  /** Integers uniform in [0, high) as int64 ({@code torch.randint(high, shape)}). */
  NDArray randint(NDManager manager, long high, Shape shape);

  /** {@code torch.randn_like(x)}. */
  default NDArray randnLike(NDArray x) {
    return randn(x.getManager(), x.getShape(), x.getDataType());
  }

  /** {@code torch.rand_like(x)}. */
  default NDArray randLike(NDArray x) {
    return rand(x.getManager(), x.getShape(), x.getDataType());
  }
}

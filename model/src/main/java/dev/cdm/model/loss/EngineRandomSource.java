package dev.cdm.model.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Draws from the engine's global generator (torch's default generator of the device), like the
 * reference's inline {@code torch.randn} calls. The training loop re-seeds the engine before every
 * step from (seed, step, rank), which is what makes a resumed run continue exactly: the generator's
 * internal state never has to be serialised.
 */
public final class EngineRandomSource implements RandomSource {
  public static final EngineRandomSource INSTANCE = new EngineRandomSource();

  private EngineRandomSource() {}

  @Override
  public NDArray randn(NDManager manager, Shape shape, DataType dtype) {
    return manager.randomNormal(0f, 1f, shape, dtype);
  }

  @Override
  public NDArray rand(NDManager manager, Shape shape, DataType dtype) {
    return manager.randomUniform(0f, 1f, shape, dtype);
  }

  @Override
  public NDArray randint(NDManager manager, long high, Shape shape) {
    return manager.randomInteger(0, high, shape, DataType.INT64);
  }
}

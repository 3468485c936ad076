package dev.cdm.model.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * Replays recorded draws in call order (the fixtures' {@code loss_draw_NN}), so that a loss
 * computed here sees exactly the random numbers the reference saw. Each draw must have the
 * requested shape; a mismatch names the draw, since it means the port calls the generator in a
 * different order.
 */
public final class ReplayRandomSource implements RandomSource {
  private final List<NDArray> draws;
  private int next;

  public ReplayRandomSource(List<NDArray> draws) {
    this.draws = new ArrayList<>(draws);
  }

  /** How many draws have been consumed. */
  public int consumed() {
    return next;
  }

  public int size() {
    return draws.size();
  }

  private NDArray take(NDManager manager, Shape shape, DataType dtype, String what) {
    if (next >= draws.size()) {
      throw new IllegalStateException(
          "replay: "
              + what
              + shape
              + " requested but all "
              + draws.size()
              + " recorded draws are used");
    }
    NDArray d = draws.get(next);
    if (!d.getShape().equals(shape)) {
      throw new IllegalStateException(
          "replay: draw "
              + next
              + " has shape "
              + d.getShape()
              + " but "
              + what
              + shape
              + " was requested");
    }
    next++;
    NDArray out = manager.from(d).toDevice(manager.getDevice(), true);
    return out.toType(dtype, false);
  }

  @Override
  public NDArray randn(NDManager manager, Shape shape, DataType dtype) {
    return take(manager, shape, dtype, "randn");
  }

  @Override
  public NDArray rand(NDManager manager, Shape shape, DataType dtype) {
    return take(manager, shape, dtype, "rand");
  }

  @Override
  public NDArray randint(NDManager manager, long high, Shape shape) {
    return take(manager, shape, DataType.INT64, "randint");
  }
}

package dev.cdm.model.training;

import ai.djl.ndarray.NDArray;
import dev.cdm.model.precond.Denoiser;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * What the training loop needs from a network: the denoiser, its trainable parameters in torch
 * {@code state_dict} naming and order (gradients are read from them), and train/eval mode
 * (dropout). {@code dev.cdm.model.precond.Precond} is adapted to this by {@link PrecondNetworks}.
 */
public interface TrainableNetwork extends Denoiser {

  /**
   * Trainable parameters by state_dict name, in registration order; the arrays are the live
   * weights.
   */
  LinkedHashMap<String, NDArray> parameters();

  /**
   * The arrays of {@link #parameters()} in the same order, read-only; implementations may return a
   * cached list (the training loop asks every step).
   */
  default List<NDArray> parameterArrays() {
    return List.copyOf(parameters().values());
  }

  /** Training mode enables dropout; the EMA copy and snapshots are evaluated in eval mode. */
  void setTraining(boolean training);

  /**
   * Called after the weights were changed in place (optimizer step, EMA, copy): drop derived
   * caches.
   */
  default void parametersUpdated() {}

  /**
   * Replaces the trainable tensor {@code name} by {@code value} (same shape; e.g. a view of a flat
   * buffer, {@link FlatParameters}); returns the tensor it replaced, which the caller then owns.
   */
  /**
   * Where passes at reduced precision that record gradients take their weights from ({@link
   * FlatParameters}); by default each weight is cast where it is used.
   */
  default void setPassWeights(dev.cdm.model.precond.Precond.PassWeights passWeights) {}

  default NDArray replaceParameter(String name, NDArray value) {
    throw new UnsupportedOperationException(getClass().getName() + " cannot replace parameters");
  }
}

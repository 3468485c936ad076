package dev.cdm.model.training;

import ai.djl.ndarray.NDManager;

/** Builds one replica of the network on {@code manager}'s device (fresh initialisation). */
@FunctionalInterface
public interface NetworkFactory {
  TrainableNetwork create(NDManager manager);
}

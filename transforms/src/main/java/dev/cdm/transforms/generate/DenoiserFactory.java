package dev.cdm.transforms.generate;

import ai.djl.ndarray.NDManager;
import dev.cdm.model.precond.Denoiser;
import java.io.Serializable;

/**
 * How a worker obtains its network: called once per DoFn instance (in {@code @Setup}) with a
 * manager on the worker's device. Serializable so that it travels with the pipeline; it should hold
 * a location, not the weights.
 */
@FunctionalInterface
public interface DenoiserFactory extends Serializable {
  Denoiser load(NDManager manager) throws Exception;
}

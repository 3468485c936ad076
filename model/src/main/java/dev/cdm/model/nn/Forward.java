package dev.cdm.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Map;

/**
 * The state of one forward pass through a network: the execution dtype (the reference's {@code
 * x.dtype}: float32, or float16/bfloat16 under {@code use_fp16}), whether dropout is active, and
 * the manager that owns every intermediate array of the pass (closed by the caller after the pass).
 *
 * <p>Parameters are stored in float32 (the master copy). {@link #cast} returns them in the
 * activation's dtype, as the reference's {@code weight.to(x.dtype)} does at every call. A cast of a
 * tensor that does not require a gradient is kept in the network's cache, so that inference at
 * reduced precision converts each weight once; a tensor that requires a gradient is cast inside the
 * pass, so that gradients flow back to the float32 master.
 */
public final class Forward {
  private final NDManager manager;
  private final DataType dtype;
  private final boolean training;
  private final NDManager networkManager;
  private final Map<String, NDArray> cache;
  private final Map<NDArray, NDArray> passCasts;

  /**
   * @param manager owns every intermediate array of this pass
   * @param dtype execution dtype of the convolution trunk
   * @param training dropout active
   * @param networkManager owns cached casts and constants
   * @param cache the network's cache of casts and constants (a concurrent map), or null for none
   */
  public Forward(
      NDManager manager,
      DataType dtype,
      boolean training,
      NDManager networkManager,
      Map<String, NDArray> cache) {
    this(manager, dtype, training, networkManager, cache, null);
  }

  /**
   * @param passCasts this pass's copies of parameters in {@code dtype} by parameter (identity),
   *     made once for the pass and differentiable back to the parameters' values, or null: {@link
   *     #cast} returns them instead of casting at every use
   */
  public Forward(
      NDManager manager,
      DataType dtype,
      boolean training,
      NDManager networkManager,
      Map<String, NDArray> cache,
      Map<NDArray, NDArray> passCasts) {
    this.manager = manager;
    this.dtype = dtype;
    this.training = training;
    this.networkManager = networkManager;
    this.cache = cache;
    this.passCasts = passCasts;
  }

  /** A pass without caches (tests, one-off calls). */
  public static Forward simple(NDManager manager, DataType dtype, boolean training) {
    return new Forward(manager, dtype, training, null, null);
  }

  /** The same pass with intermediates on {@code m} (a sub-manager closed early to free memory). */
  public Forward withManager(NDManager m) {
    return new Forward(m, dtype, training, networkManager, cache, passCasts);
  }

  public NDManager manager() {
    return manager;
  }

  public DataType dtype() {
    return dtype;
  }

  public boolean training() {
    return training;
  }

  /** {@code p.to(to)}; null stays null. The result must not be closed by the caller. */
  public NDArray cast(NDArray p, DataType to) {
    if (p == null) {
      return null;
    }
    if (passCasts != null) {
      NDArray c = passCasts.get(p);
      if (c != null && c.getDataType() == to) {
        return c;
      }
    }
    if (p.getDataType() == to) {
      return p;
    }
    if (cache != null && !p.hasGradient()) {
      return cache.computeIfAbsent(
          "cast:" + p.getUid() + ":" + to, k -> attachTo(p.toType(to, false), networkManager));
    }
    return attachTo(Ops.cast(p, to), manager);
  }

  /**
   * Attaches {@code a} to this pass's manager. For arrays derived from parameters (reshape, tile):
   * an op's result belongs to its first operand's manager, which for a parameter is the network's.
   */
  public NDArray own(NDArray a) {
    if (a != null) {
      a.attach(manager);
    }
    return a;
  }

  /** {@code p.to(x.dtype)}: the parameter in the dtype of the activation it meets. */
  public NDArray castLike(NDArray p, NDArray x) {
    return cast(p, x.getDataType());
  }

  /**
   * Ones of {@code shape} and {@code dt} on {@code like}'s device (layer norm's required weight).
   */
  public NDArray ones(Shape shape, DataType dt, NDArray like) {
    if (cache != null) {
      return cache.computeIfAbsent(
          "ones:" + shape + ":" + dt + ":" + like.getDevice(),
          k -> networkManager.ones(shape, dt, like.getDevice()));
    }
    return manager.ones(shape, dt, like.getDevice());
  }

  /** Zeros of a fixed (not batch-sized) shape, cached as {@link #ones}. */
  public NDArray constantZeros(Shape shape, DataType dt, NDArray like) {
    if (cache != null) {
      return cache.computeIfAbsent(
          "zeros:" + shape + ":" + dt + ":" + like.getDevice(),
          k -> networkManager.zeros(shape, dt, like.getDevice()));
    }
    return manager.zeros(shape, dt, like.getDevice());
  }

  private static NDArray attachTo(NDArray a, NDManager m) {
    a.attach(m);
    return a;
  }
}

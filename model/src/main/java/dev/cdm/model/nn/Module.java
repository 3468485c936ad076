package dev.cdm.model.nn;

import ai.djl.ndarray.NDArray;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A layer of the reference networks: named parameters, named buffers and named children, in the
 * order in which the reference's {@code torch.nn.Module} registers them, so that {@link
 * #namedParameters}/{@link #namedBuffers} produce exactly the reference's {@code state_dict} keys
 * (e.g. {@code model.enc.32x32_block0.conv0.weight}). Deliberately not DJL's Block machinery: the
 * names must match the reference and the forward pass must stay a plain sequence of tensor ops.
 *
 * <p>Layers read their tensors by name at every call ({@link #p(String)}), so a state dict loaded
 * later simply replaces the map entries.
 */
public abstract class Module {
  private final LinkedHashMap<String, NDArray> params = new LinkedHashMap<>();
  private final LinkedHashMap<String, NDArray> buffers = new LinkedHashMap<>();
  private final LinkedHashMap<String, Module> children = new LinkedHashMap<>();
  private boolean training;

  /**
   * Counts changes to any layer's tensor maps or children (registration and {@link #replace}), in
   * every network of the process: a cached view of the tensors (e.g. {@link
   * dev.cdm.model.precond.Precond#parameters()}) is current while this has not moved.
   */
  private static final AtomicLong STRUCTURE = new AtomicLong();

  /** The process-wide count of structure changes: a cache built at this value is current. */
  protected static long structureVersion() {
    return STRUCTURE.get();
  }

  /** Registers a trainable tensor under {@code name}; {@code null} registers nothing (as torch). */
  protected final NDArray addParameter(String name, NDArray value) {
    if (value != null) {
      params.put(name, value);
      STRUCTURE.incrementAndGet();
    }
    return value;
  }

  /** Registers a persistent non-trainable tensor (part of the state dict); {@code null}: none. */
  protected final NDArray addBuffer(String name, NDArray value) {
    if (value != null) {
      buffers.put(name, value);
      STRUCTURE.incrementAndGet();
    }
    return value;
  }

  /** Registers a sub-layer under {@code name}; {@code null} registers nothing. */
  protected final <M extends Module> M addChild(String name, M child) {
    if (child != null) {
      children.put(name, child);
      STRUCTURE.incrementAndGet();
    }
    return child;
  }

  /** This layer's own parameter or buffer {@code name}, or null if it has none. */
  protected final NDArray p(String name) {
    NDArray a = params.get(name);
    return a != null ? a : buffers.get(name);
  }

  public final Map<String, Module> children() {
    return Collections.unmodifiableMap(children);
  }

  public final boolean isTraining() {
    return training;
  }

  /** Dropout and label dropout on ({@code true}) or off, for this layer and all below it. */
  public void setTraining(boolean training) {
    this.training = training;
    for (Module c : children.values()) {
      c.setTraining(training);
    }
  }

  /** All trainable tensors below this layer, keyed {@code prefix + torch name}, in torch order. */
  public final void namedParameters(String prefix, Map<String, NDArray> out) {
    params.forEach((k, v) -> out.put(prefix + k, v));
    children.forEach((k, c) -> c.namedParameters(prefix + k + ".", out));
  }

  /** All buffers below this layer, keyed {@code prefix + torch name}, in torch order. */
  public final void namedBuffers(String prefix, Map<String, NDArray> out) {
    buffers.forEach((k, v) -> out.put(prefix + k, v));
    children.forEach((k, c) -> c.namedBuffers(prefix + k + ".", out));
  }

  /**
   * The state dict in torch's order: for every module its parameters, then its buffers, then its
   * children.
   */
  public final void stateDict(String prefix, Map<String, NDArray> out) {
    params.forEach((k, v) -> out.put(prefix + k, v));
    buffers.forEach((k, v) -> out.put(prefix + k, v));
    children.forEach((k, c) -> c.stateDict(prefix + k + ".", out));
  }

  /**
   * Replaces the tensor {@code key} (a state-dict key relative to this layer) by {@code value}.
   * Returns the tensor it replaced; the caller owns both.
   */
  public final NDArray replace(String key, NDArray value) {
    int dot = key.indexOf('.');
    if (dot >= 0) {
      Module c = children.get(key.substring(0, dot));
      if (c == null) {
        throw new IllegalArgumentException("no sub-module for state-dict key '" + key + "'");
      }
      return c.replace(key.substring(dot + 1), value);
    }
    if (params.containsKey(key)) {
      STRUCTURE.incrementAndGet();
      return params.put(key, value);
    }
    if (buffers.containsKey(key)) {
      STRUCTURE.incrementAndGet();
      return buffers.put(key, value);
    }
    throw new IllegalArgumentException("no parameter or buffer for state-dict key '" + key + "'");
  }

  /** True if {@code key} (a state-dict key relative to this layer) names a trainable tensor. */
  public final boolean isParameter(String key) {
    int dot = key.indexOf('.');
    if (dot < 0) {
      return params.containsKey(key);
    }
    Module c = children.get(key.substring(0, dot));
    return c != null && c.isParameter(key.substring(dot + 1));
  }

  /** A map with insertion order, for callers collecting names. */
  public static <V> LinkedHashMap<String, V> ordered() {
    return new LinkedHashMap<>();
  }
}

package dev.cdm.model.io;

import dev.cdm.model.io.pickle.Buildable;
import dev.cdm.model.io.pickle.PickleException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A Python object rebuilt as data from a pickle: its class and its {@code __dict__} state, never an
 * instance of the Python class. For torch modules the state holds {@code _parameters}, {@code
 * _buffers}, {@code _modules} and {@code _non_persistent_buffers_set}, from which {@link
 * #stateDict()} is flattened exactly as torch's {@code Module.state_dict()} does.
 */
public class PickledObject implements Buildable {
  private final String moduleName;
  private final String className;
  private final String source;
  private final Map<String, Object> state = new LinkedHashMap<>();

  PickledObject(String moduleName, String className) {
    this(moduleName, className, "<memory>");
  }

  /** {@code source} names the file the object was read from, for error messages. */
  PickledObject(String moduleName, String className, String source) {
    this.moduleName = moduleName;
    this.className = className;
    this.source = source;
  }

  /** The file (or stream name) this object was read from. */
  public String source() {
    return source;
  }

  /**
   * The Python module of the class ({@code torch.nn.modules.container}); see subclasses for
   * persistent ones.
   */
  public String moduleName() {
    return moduleName;
  }

  /** The class name, e.g. {@code EDMPrecond}, {@code ModuleDict}. */
  public String className() {
    return className;
  }

  /** The raw {@code __dict__} state as unpickled. */
  public Map<String, Object> state() {
    return Collections.unmodifiableMap(state);
  }

  @Override
  public void build(Object newState) throws PickleException {
    // Python's default __setstate__: a dict updates __dict__; (dict, slots) tuples carry both.
    Object dict = newState;
    if (newState instanceof java.util.List && ((java.util.List<?>) newState).size() == 2) {
      java.util.List<?> pair = (java.util.List<?>) newState;
      dict = pair.get(0);
      if (pair.get(1) instanceof Map) {
        putAll((Map<?, ?>) pair.get(1));
      }
    }
    if (dict == null) {
      return;
    }
    if (!(dict instanceof Map)) {
      throw new PickleException(
          "state of " + className + " is a " + dict.getClass().getSimpleName() + ", not a dict");
    }
    putAll((Map<?, ?>) dict);
  }

  void putAll(Map<?, ?> entries) throws PickleException {
    for (Map.Entry<?, ?> e : entries.entrySet()) {
      if (!(e.getKey() instanceof String)) {
        throw new PickleException(
            "attribute name of " + className + " is not a string: " + e.getKey());
      }
      state.put((String) e.getKey(), e.getValue());
    }
  }

  /** True for torch modules (objects with {@code _parameters}/{@code _modules}). */
  public boolean isModule() {
    return state.get("_modules") instanceof Map || state.get("_parameters") instanceof Map;
  }

  /** Torch's {@code training} flag (false for the reference's {@code ema} networks). */
  public boolean training() {
    return Boolean.TRUE.equals(state.get("training"));
  }

  /**
   * Plain attributes: the {@code __dict__} entries that are not torch or persistence internals
   * (names starting with an underscore, and {@code training}). For the reference's networks these
   * are e.g. {@code img_resolution}, {@code sigma_min}, {@code num_heads}, {@code skip_scale}.
   */
  public Map<String, Object> attributes() {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : state.entrySet()) {
      if (!e.getKey().startsWith("_") && !e.getKey().equals("training")) {
        out.put(e.getKey(), e.getValue());
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /** Direct submodules in registration order; {@code None} entries (absent layers) are left out. */
  public Map<String, PickledObject> modules() {
    Map<String, PickledObject> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : internalMap("_modules").entrySet()) {
      if (e.getValue() instanceof PickledObject) {
        out.put(e.getKey(), (PickledObject) e.getValue());
      } else if (e.getValue() != null) {
        throw new IllegalStateException(
            "submodule "
                + e.getKey()
                + " of "
                + className
                + " in "
                + source
                + " is a "
                + e.getValue().getClass().getSimpleName());
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /**
   * The submodule at a dotted path such as {@code model.enc.16x16_conv}, or {@code null} if absent.
   */
  public PickledObject module(String dottedPath) {
    PickledObject m = this;
    for (String part : dottedPath.split("\\.")) {
      m = m.modules().get(part);
      if (m == null) {
        return null;
      }
    }
    return m;
  }

  /** Own parameters in registration order, {@code None} entries left out. */
  public Map<String, TensorData> parameters() {
    return tensors("_parameters", Set.of());
  }

  /**
   * Own persistent buffers in registration order ({@code None} and non-persistent ones left out).
   */
  public Map<String, TensorData> buffers() {
    return tensors("_buffers", nonPersistentBuffers());
  }

  /**
   * Names of buffers registered with {@code persistent=False}; torch leaves them out of the state
   * dict.
   */
  public Set<String> nonPersistentBuffers() {
    Object s = state.get("_non_persistent_buffers_set");
    Set<String> out = new LinkedHashSet<>();
    if (s instanceof Set) {
      for (Object o : (Set<?>) s) {
        out.add(String.valueOf(o));
      }
    }
    return out;
  }

  /**
   * The flattened state dict, named and ordered as torch's {@code state_dict()}: own parameters,
   * then own persistent buffers, then each submodule's entries under {@code name.}.
   */
  public LinkedHashMap<String, TensorData> stateDict() {
    LinkedHashMap<String, TensorData> out = new LinkedHashMap<>();
    collect("", out);
    return out;
  }

  private void collect(String prefix, LinkedHashMap<String, TensorData> out) {
    parameters().forEach((k, v) -> out.put(prefix + k, v));
    buffers().forEach((k, v) -> out.put(prefix + k, v));
    modules().forEach((k, m) -> m.collect(prefix + k + ".", out));
  }

  /**
   * The parameters only, submodules included, named and ordered as torch's {@code
   * named_parameters()} (each tensor once): the order an optimizer's state indices refer to.
   */
  public LinkedHashMap<String, TensorData> namedParameters() {
    LinkedHashMap<String, TensorData> out = new LinkedHashMap<>();
    collectNamedParameters(
        "",
        out,
        Collections.newSetFromMap(new IdentityHashMap<>()),
        Collections.newSetFromMap(new IdentityHashMap<>()));
    return out;
  }

  private void collectNamedParameters(
      String prefix,
      LinkedHashMap<String, TensorData> out,
      Set<TensorData> seen,
      Set<PickledObject> visited) {
    if (!visited.add(this)) {
      return;
    }
    parameters()
        .forEach(
            (k, v) -> {
              if (seen.add(v)) {
                out.put(prefix + k, v);
              }
            });
    modules().forEach((k, m) -> m.collectNamedParameters(prefix + k + ".", out, seen, visited));
  }

  /**
   * The number of parameter elements, submodules included, each parameter counted once even if it
   * is registered in several places: {@code sum(p.numel() for p in module.parameters())}.
   */
  public long parameterCount() {
    Set<TensorData> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    collectParameters(seen, Collections.newSetFromMap(new IdentityHashMap<>()));
    long n = 0;
    for (TensorData t : seen) {
      n += t.numel();
    }
    return n;
  }

  private void collectParameters(Set<TensorData> out, Set<PickledObject> visited) {
    if (!visited.add(this)) {
      return;
    }
    out.addAll(parameters().values());
    for (PickledObject m : modules().values()) {
      m.collectParameters(out, visited);
    }
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> internalMap(String key) {
    Object o = state.get(key);
    return o instanceof Map ? (Map<String, Object>) o : Map.of();
  }

  private Map<String, TensorData> tensors(String key, Set<String> skip) {
    Map<String, TensorData> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : internalMap(key).entrySet()) {
      if (e.getValue() == null || skip.contains(e.getKey())) {
        continue;
      }
      if (!(e.getValue() instanceof TensorData)) {
        throw new IllegalStateException(
            key.substring(1)
                + " entry "
                + e.getKey()
                + " of "
                + className
                + " in "
                + source
                + " is a "
                + e.getValue().getClass().getSimpleName()
                + ", not a tensor");
      }
      out.put(e.getKey(), (TensorData) e.getValue());
    }
    return Collections.unmodifiableMap(out);
  }

  @Override
  public String toString() {
    return className;
  }
}

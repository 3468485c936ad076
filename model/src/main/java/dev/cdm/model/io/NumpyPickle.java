package dev.cdm.model.io;

import dev.cdm.model.io.pickle.Buildable;
import dev.cdm.model.io.pickle.GlobalResolver;
import dev.cdm.model.io.pickle.PickleException;
import dev.cdm.model.io.pickle.PyGlobal;
import dev.cdm.model.io.pickle.PyTuple;
import dev.cdm.model.io.pickle.SafeUnpickler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a pickle of plain Python data holding numpy arrays, as {@code pickle.load(f,
 * encoding='latin1')} does (the CIFAR-10 python batches, for one), through the project's one {@link
 * SafeUnpickler}. The allow-list is numpy's array rebuild ({@code _reconstruct}, {@code ndarray},
 * {@code dtype}) and {@code _codecs.encode} (how Python 3 spells bytes at protocol 2); any other
 * global is refused, naming it, and nothing from the file is executed.
 *
 * <p>Python 2 strings come back as latin-1 {@link String}s and every array as an {@link NpyArray}
 * (the dtypes {@code NpyArray} knows; C order only).
 */
public final class NumpyPickle {
  private NumpyPickle() {}

  /**
   * The value {@code bytes} pickle; {@code name} (a file, a tarball member) appears in every error.
   */
  public static Object load(byte[] bytes, String name) throws IOException {
    Object root = new SafeUnpickler(bytes, 0, bytes.length, name, new Globals(name), null).load();
    return arrays(root, name, new IdentityHashMap<>());
  }

  /** Replaces every rebuilt array in the loaded graph by its {@link NpyArray}. */
  @SuppressWarnings("unchecked")
  private static Object arrays(Object o, String name, Map<Object, Object> done) throws IOException {
    if (o instanceof PendingArray) {
      Object a = done.get(o);
      if (a == null) {
        a = ((PendingArray) o).toArray(name);
        done.put(o, a);
      }
      return a;
    }
    if (o instanceof Map && done.put(o, o) == null) {
      for (Map.Entry<Object, Object> e : ((Map<Object, Object>) o).entrySet()) {
        e.setValue(arrays(e.getValue(), name, done));
      }
    } else if (o instanceof ArrayList && done.put(o, o) == null) {
      List<Object> l = (List<Object>) o;
      for (int i = 0; i < l.size(); i++) {
        l.set(i, arrays(l.get(i), name, done));
      }
    } else if (o instanceof PyTuple) {
      List<Object> items = new ArrayList<>((PyTuple) o);
      boolean changed = false;
      for (int i = 0; i < items.size(); i++) {
        Object v = arrays(items.get(i), name, done);
        changed |= v != items.get(i);
        items.set(i, v);
      }
      return changed ? PyTuple.copyOf(items) : o;
    }
    return o;
  }

  /**
   * {@code _reconstruct(ndarray, (0,), b'b')}, filled by BUILD with (version, shape, dtype,
   * fortran, raw).
   */
  private static final class PendingArray implements Buildable {
    private List<?> state;

    @Override
    public void build(Object s) throws PickleException {
      if (!(s instanceof List) || ((List<?>) s).size() != 5) {
        throw new PickleException(
            "a numpy array state is (version, shape, dtype, fortran, data), got " + s);
      }
      state = (List<?>) s;
    }

    NpyArray toArray(String name) throws IOException {
      if (state == null) {
        throw new PickleException(name + ": a numpy array without its data");
      }
      if (!(state.get(1) instanceof List) || !(state.get(2) instanceof NumpyDType)) {
        throw new PickleException(name + ": a numpy array state without shape or dtype");
      }
      if (Boolean.TRUE.equals(state.get(3))) {
        throw new PickleException(name + ": Fortran-ordered numpy arrays are not supported");
      }
      List<?> dims = (List<?>) state.get(1);
      long[] shape = new long[dims.size()];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = ((Number) dims.get(i)).longValue();
      }
      Object raw = state.get(4);
      // Python 2 pickled the data as a str, which encoding='latin1' turns into text.
      byte[] data =
          raw instanceof byte[]
              ? (byte[]) raw
              : raw instanceof String ? ((String) raw).getBytes(StandardCharsets.ISO_8859_1) : null;
      if (data == null) {
        throw new PickleException(name + ": a numpy array whose data is a " + raw);
      }
      return NpyArray.of(((NumpyDType) state.get(2)).descr(), shape, data, name);
    }
  }

  /**
   * The allow-list: numpy's array rebuild and {@code _codecs.encode}; {@code null} for all else.
   */
  private static final class Globals implements GlobalResolver {
    private static final Set<String> RECONSTRUCT =
        Set.of("numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct");
    private final String name;

    Globals(String name) {
      this.name = name;
    }

    @Override
    public PyGlobal resolve(String module, String qual) {
      String q = module + "." + qual;
      if (RECONSTRUCT.contains(q)) {
        return PyGlobal.function(q, args -> new PendingArray());
      }
      switch (q) {
        case "numpy.ndarray":
          return PyGlobal.token(q);
        case "numpy.dtype":
          return PyGlobal.function(
              q,
              args -> {
                if (args.isEmpty()) {
                  throw new PickleException("numpy.dtype in " + name + " without a type code");
                }
                return new NumpyDType(String.valueOf(args.get(0)));
              });
        case "_codecs.encode":
          return PyGlobal.function(
              q,
              args ->
                  String.valueOf(args.isEmpty() ? "" : args.get(0))
                      .getBytes(StandardCharsets.ISO_8859_1));
        default:
          return null;
      }
    }
  }
}

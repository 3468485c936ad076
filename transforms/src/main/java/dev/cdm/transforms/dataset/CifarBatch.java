package dev.cdm.transforms.dataset;

import dev.cdm.model.io.NpyArray;
import dev.cdm.model.io.NumpyPickle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * One CIFAR-10 python batch ({@code data_batch_N}): a pickled dict whose {@code data} is a uint8
 * numpy array [n, 3072] (CHW per row) and whose {@code labels} is a list of n integers 0..9. Read
 * through the project's safe pickle machine ({@link NumpyPickle}): nothing from the file is
 * executed, and any global but numpy's array rebuild is refused by name.
 */
final class CifarBatch {
  final byte[] data;
  final int rows;
  final int[] labels;

  private CifarBatch(byte[] data, int rows, int[] labels) {
    this.data = data;
    this.rows = rows;
    this.labels = labels;
  }

  /** Reads one batch; errors name {@code what} (the tarball member). */
  static CifarBatch read(byte[] bytes, String what) throws IOException {
    Object root = NumpyPickle.load(bytes, what);
    if (!(root instanceof Map)) {
      throw new IOException(what + ": expected a dict, got " + typeName(root));
    }
    Map<?, ?> dict = (Map<?, ?>) root;
    Object data = get(dict, "data");
    Object labels = get(dict, "labels");
    if (!(data instanceof NpyArray)) {
      throw new IOException(what + ": key 'data' must be a numpy array, got " + typeName(data));
    }
    if (!(labels instanceof List)) {
      throw new IOException(what + ": key 'labels' must be a list, got " + typeName(labels));
    }
    NpyArray a = (NpyArray) data;
    if (!a.dtype().equals("|u1")) {
      throw new IOException(what + ": 'data' must be uint8, got dtype " + a.dtype());
    }
    long[] shape = a.shape();
    if (shape.length != 2 || shape[1] != 3072) {
      throw new IOException(
          what + ": 'data' must have shape [n, 3072], got " + Arrays.toString(shape));
    }
    int rows = Math.toIntExact(shape[0]);
    List<?> l = (List<?>) labels;
    if (l.size() != rows) {
      throw new IOException(what + ": " + l.size() + " labels for " + rows + " images");
    }
    int[] out = new int[rows];
    for (int i = 0; i < rows; i++) {
      Object v = l.get(i);
      if (!(v instanceof Long)) {
        throw new IOException(what + ": label " + i + " is not an integer: " + typeName(v));
      }
      long label = (Long) v;
      if (label < 0 || label > 9) {
        throw new IOException(
            what + ": label " + i + " is " + label + ", CIFAR-10 labels are 0..9");
      }
      out[i] = (int) label;
    }
    return new CifarBatch(a.toUint8(), rows, out);
  }

  /** The value under a Python 2 str key (text after latin-1 decoding) or a bytes key. */
  private static Object get(Map<?, ?> dict, String key) {
    Object v = dict.get(key);
    if (v == null) {
      for (Map.Entry<?, ?> e : dict.entrySet()) {
        if (e.getKey() instanceof byte[]
            && key.equals(new String((byte[]) e.getKey(), StandardCharsets.ISO_8859_1))) {
          return e.getValue();
        }
      }
    }
    return v;
  }

  private static String typeName(Object o) {
    return o == null ? "None" : o instanceof byte[] ? "bytes" : o.getClass().getSimpleName();
  }
}

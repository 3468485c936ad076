package dev.cdm.model.data;

import dev.cdm.model.io.JsonValues;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The labels of a {@code dataset.json}: {@code {"labels": [[name, label], ...]}} or {@code
 * {"labels": null}}, read with a full JSON parser (Python's {@code json} module grammar: escaped
 * names such as {@code caf\u00e9.png}, {@code NaN}, {@code Infinity}). A label is a number (a class
 * index) or a list of numbers (a label vector); both are kept as read, as the reference's {@code
 * dict(labels)} keeps them (a later entry for the same name wins).
 *
 * <p>{@link #forImages} turns them into what the training dataset uses, as the reference's {@code
 * ImageFolderDataset._load_raw_labels}: one label per image, class indices (int64, one-hot later)
 * when the labels are numbers, float32 vectors when they are lists.
 */
public final class DatasetLabels {
  /** A dataset without labels (no dataset.json, or {@code "labels": null}). */
  public static final DatasetLabels NONE = new DatasetLabels("(none)", null);

  private final String source;
  private final Map<String, Object> byName; // null: no labels

  private DatasetLabels(String source, Map<String, Object> byName) {
    this.source = source;
    this.byName = byName;
  }

  /** Parses dataset.json text; {@code source} names the file in every error. */
  public static DatasetLabels parse(byte[] json, String source) throws IOException {
    Object root;
    try {
      root = JsonValues.parse(new String(json, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new IOException(source + ": not valid JSON: " + e.getMessage(), e);
    }
    if (!(root instanceof Map) || !((Map<?, ?>) root).containsKey("labels")) {
      throw new IOException(source + ": expected an object with a \"labels\" key");
    }
    Object list = ((Map<?, ?>) root).get("labels");
    if (list == null) {
      return new DatasetLabels(source, null);
    }
    if (!(list instanceof List)) {
      throw new IOException(source + ": \"labels\" must be a list of [name, label] pairs or null");
    }
    Map<String, Object> byName = new LinkedHashMap<>();
    for (Object entry : (List<?>) list) {
      if (!(entry instanceof List)
          || ((List<?>) entry).size() != 2
          || !(((List<?>) entry).get(0) instanceof String)) {
        throw new IOException(
            source + ": each label must be [name, label], got " + JsonValues.write(entry));
      }
      Object label = ((List<?>) entry).get(1);
      if (label != null && !(label instanceof Number) && !isNumberList(label)) {
        throw new IOException(
            source
                + ": label of "
                + ((List<?>) entry).get(0)
                + " must be a number or a list of numbers, got "
                + JsonValues.write(label));
      }
      byName.put((String) ((List<?>) entry).get(0), label);
    }
    return new DatasetLabels(source, Collections.unmodifiableMap(byName));
  }

  private static boolean isNumberList(Object o) {
    if (!(o instanceof List)) {
      return false;
    }
    for (Object x : (List<?>) o) {
      if (!(x instanceof Number)) {
        return false;
      }
    }
    return true;
  }

  /** True when the file has {@code "labels": null} (or there is no file). */
  public boolean isNull() {
    return byName == null;
  }

  /** The number of [name, label] entries (0 when null). */
  public int size() {
    return byName == null ? 0 : byName.size();
  }

  /**
   * The label of {@code name} as read: a {@link Number}, a {@code List<Number>}, or null when the
   * file has none for it.
   */
  public Object get(String name) {
    return byName == null ? null : byName.get(name);
  }

  /** The label of {@code name} as JSON text ({@code 6}, {@code [0.5, 1.0]}), or null. */
  public String json(String name) {
    Object l = get(name);
    return l == null ? null : JsonValues.write(l);
  }

  /**
   * The labels of {@code images}, in order, as the reference's training dataset holds them; an
   * error names the first image without a label or the first label of another kind.
   */
  public Table forImages(List<String> images) throws IOException {
    if (byName == null) {
      return null;
    }
    int n = images.size();
    long[] classes = null;
    float[][] vectors = null;
    for (int i = 0; i < n; i++) {
      String name = images.get(i).replace('\\', '/');
      if (!byName.containsKey(name) || byName.get(name) == null) {
        throw new IOException(source + " has no label for image " + name);
      }
      Object l = byName.get(name);
      if (l instanceof Number) {
        if (vectors != null) {
          throw mixed(name);
        }
        if (classes == null) {
          classes = new long[n];
        }
        // np.array(labels).astype(np.int64): a float label truncates toward zero.
        long c = ((Number) l).longValue();
        double d = ((Number) l).doubleValue();
        if (c < 0 || Double.isNaN(d)) {
          throw new IOException(
              source
                  + ": label of "
                  + name
                  + " is "
                  + JsonValues.write(l)
                  + ", but class labels must be non-negative integers");
        }
        classes[i] = c;
      } else {
        List<?> v = (List<?>) l;
        if (classes != null) {
          throw mixed(name);
        }
        if (vectors == null) {
          vectors = new float[n][];
        } else if (v.size() != vectors[0].length) {
          throw new IOException(
              source
                  + ": label of "
                  + name
                  + " has "
                  + v.size()
                  + " values, but that of "
                  + images.get(0)
                  + " has "
                  + vectors[0].length
                  + " (label vectors must have one length)");
        }
        float[] f = new float[v.size()];
        for (int k = 0; k < f.length; k++) {
          f[k] = ((Number) v.get(k)).floatValue();
        }
        vectors[i] = f;
      }
    }
    return new Table(classes, vectors);
  }

  private IOException mixed(String name) {
    return new IOException(
        source
            + ": label of "
            + name
            + " mixes class numbers and label vectors"
            + " (all labels must be numbers, or all lists of numbers)");
  }

  /**
   * Labels of a dataset's images: class indices ({@code classes}, one-hot of dimension max + 1) or
   * float32 vectors ({@code vectors}, dimension = their length). Exactly one is non-null.
   */
  public static final class Table {
    private final long[] classes;
    private final float[][] vectors;
    private final int dim;

    Table(long[] classes, float[][] vectors) {
      this.classes = classes;
      this.vectors = vectors;
      if (classes != null) {
        long max = -1;
        for (long c : classes) {
          max = Math.max(max, c);
        }
        if (max + 1 > Integer.MAX_VALUE / 2) {
          throw new IllegalArgumentException(
              "class label " + max + " is too large for a one-hot label");
        }
        this.dim = (int) (max + 1);
      } else {
        this.dim = vectors == null || vectors.length == 0 ? 0 : vectors[0].length;
      }
    }

    /** The label dimension: classes one-hot, or the vector length. */
    public int dim() {
      return dim;
    }

    /** True for class labels (one-hot encoded), false for label vectors. */
    public boolean oneHot() {
      return classes != null;
    }

    /** The class index of image {@code i} (class labels only). */
    public long classOf(int i) {
      return classes[i];
    }

    /** Writes image {@code i}'s label (one-hot or vector, float32) into {@code out[offset..]}. */
    public void write(int i, float[] out, int offset) {
      if (classes != null) {
        java.util.Arrays.fill(out, offset, offset + dim, 0f);
        out[offset + (int) classes[i]] = 1f;
      } else {
        System.arraycopy(vectors[i], 0, out, offset, dim);
      }
    }
  }
}

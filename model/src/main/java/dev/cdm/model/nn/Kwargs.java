package dev.cdm.model.nn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Python keyword arguments as read from a reference pickle or our JSON config: typed access with
 * the reference's defaults, and errors that name the key. Numbers may arrive as any {@link Number}
 * (pickle ints, JSON doubles), lists as any {@link List}, tuples likewise.
 */
public final class Kwargs {
  private final String owner;
  private final Map<String, Object> values;
  private final Set<String> used = new LinkedHashSet<>();

  public Kwargs(String owner, Map<String, ?> values) {
    this.owner = owner;
    this.values = new LinkedHashMap<>(values);
  }

  public boolean has(String key) {
    return values.containsKey(key) && values.get(key) != null;
  }

  public Object raw(String key) {
    used.add(key);
    return values.get(key);
  }

  public int getInt(String key, Integer def) {
    Object v = raw(key);
    if (v == null) {
      return required(key, def);
    }
    if (v instanceof Boolean) {
      return ((Boolean) v) ? 1 : 0;
    }
    if (!(v instanceof Number)) {
      throw bad(key, v, "an integer");
    }
    double d = ((Number) v).doubleValue();
    if (d != Math.rint(d)) {
      throw bad(key, v, "an integer");
    }
    return (int) d;
  }

  public double getDouble(String key, Double def) {
    Object v = raw(key);
    if (v == null) {
      return required(key, def);
    }
    if (!(v instanceof Number)) {
      throw bad(key, v, "a number");
    }
    return ((Number) v).doubleValue();
  }

  public boolean getBool(String key, Boolean def) {
    Object v = raw(key);
    if (v == null) {
      return required(key, def);
    }
    if (v instanceof Boolean) {
      return (Boolean) v;
    }
    if (v instanceof Number) {
      return ((Number) v).doubleValue() != 0;
    }
    throw bad(key, v, "a boolean");
  }

  public String getString(String key, String def) {
    Object v = raw(key);
    if (v == null) {
      return required(key, def);
    }
    if (!(v instanceof CharSequence)) {
      throw bad(key, v, "a string");
    }
    return v.toString();
  }

  public List<Number> getNumbers(String key, List<? extends Number> def) {
    Object v = raw(key);
    if (v == null) {
      return new ArrayList<>(required(key, def));
    }
    List<?> l;
    if (v instanceof List) {
      l = (List<?>) v;
    } else if (v instanceof Object[]) {
      l = List.of((Object[]) v);
    } else if (v instanceof Number) {
      l = List.of(v); // Python lets a scalar stand for a one-element list in some configs
    } else {
      throw bad(key, v, "a list of numbers");
    }
    List<Number> out = new ArrayList<>();
    for (Object o : l) {
      if (!(o instanceof Number)) {
        throw bad(key, v, "a list of numbers");
      }
      out.add((Number) o);
    }
    return out;
  }

  public List<Integer> getInts(String key, List<Integer> def) {
    List<Integer> out = new ArrayList<>();
    for (Number n : getNumbers(key, def)) {
      out.add(n.intValue());
    }
    return out;
  }

  /** Fails if a key was given that no one read: a typo or an unsupported reference option. */
  public void checkAllUsed() {
    for (String k : values.keySet()) {
      if (!used.contains(k)) {
        throw new IllegalArgumentException(
            owner + ": unsupported keyword argument '" + k + "' = " + values.get(k));
      }
    }
  }

  /** The arguments not yet read, in their order (the reference's {@code **model_kwargs}). */
  public Map<String, Object> unused() {
    Map<String, Object> out = new LinkedHashMap<>();
    values.forEach(
        (k, v) -> {
          if (!used.contains(k)) {
            out.put(k, v);
          }
        });
    return out;
  }

  private <T> T required(String key, T def) {
    if (def == null) {
      throw new IllegalArgumentException(owner + ": missing required argument '" + key + "'");
    }
    return def;
  }

  private IllegalArgumentException bad(String key, Object v, String expected) {
    return new IllegalArgumentException(
        owner + ": argument '" + key + "' = " + v + " is not " + expected);
  }
}

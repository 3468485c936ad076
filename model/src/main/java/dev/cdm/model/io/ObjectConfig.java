package dev.cdm.model.io;

import com.google.auto.value.AutoValue;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How to construct one reference object: class name plus constructor arguments, as plain Java
 * values. This is what the reference's persistence wrapper records, and what our snapshot stores.
 */
@AutoValue
public abstract class ObjectConfig {
  /** e.g. {@code EDMPrecond}, {@code EDMLoss}, {@code AugmentPipe}. */
  public abstract String className();

  public abstract List<Object> initArgs();

  public abstract Map<String, Object> initKwargs();

  public static ObjectConfig of(
      String className, List<Object> initArgs, Map<String, Object> initKwargs) {
    return new AutoValue_ObjectConfig(
        className,
        Collections.unmodifiableList(new java.util.ArrayList<>(initArgs)),
        Collections.unmodifiableMap(new LinkedHashMap<>(initKwargs)));
  }

  /** The recorded constructor call of a persistent object read from a reference checkpoint. */
  public static ObjectConfig of(PersistentObject o) {
    return of(o.className(), o.initArgs(), o.initKwargs());
  }

  Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("class_name", className());
    m.put("init_args", initArgs());
    m.put("init_kwargs", initKwargs());
    return m;
  }

  static ObjectConfig fromMap(Object o, String where) {
    if (o == null) {
      return null;
    }
    if (!(o instanceof Map) || !(((Map<?, ?>) o).get("class_name") instanceof String)) {
      throw new IllegalArgumentException(where + " must be an object with a class_name");
    }
    Map<?, ?> m = (Map<?, ?>) o;
    Object args = m.get("init_args");
    Object kwargs = m.get("init_kwargs");
    Map<String, Object> kw = new LinkedHashMap<>();
    if (kwargs instanceof Map) {
      ((Map<?, ?>) kwargs).forEach((k, v) -> kw.put(String.valueOf(k), v));
    }
    @SuppressWarnings("unchecked")
    List<Object> a = args instanceof List ? (List<Object>) args : List.of();
    return of((String) m.get("class_name"), a, kw);
  }
}

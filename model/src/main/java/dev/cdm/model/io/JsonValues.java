package dev.cdm.model.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plain Java values (null, Boolean, Long, Double, String, List, Map) to JSON and back, keeping the
 * int/float distinction of Python: doubles are always written with a fraction or exponent
 * ({@code 1.0}, {@code 1.0E8}, {@code Infinity}), integers never, so a value read back has the type
 * it was written with. Tuples come back as lists.
 */
final class JsonValues {
  private JsonValues() {}

  static JsonElement toJson(Object v, String where) {
    if (v == null) {
      return JsonNull.INSTANCE;
    }
    if (v instanceof Boolean) {
      return new JsonPrimitive((Boolean) v);
    }
    if (v instanceof Double || v instanceof Float) {
      return new JsonPrimitive(((Number) v).doubleValue());
    }
    if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte || v instanceof BigInteger) {
      return new JsonPrimitive((Number) v);
    }
    if (v instanceof String) {
      return new JsonPrimitive((String) v);
    }
    if (v instanceof List) {
      JsonArray a = new JsonArray();
      int i = 0;
      for (Object o : (List<?>) v) {
        a.add(toJson(o, where + "[" + i++ + "]"));
      }
      return a;
    }
    if (v instanceof Map) {
      JsonObject o = new JsonObject();
      for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
        String k = String.valueOf(e.getKey());
        o.add(k, toJson(e.getValue(), where + "." + k));
      }
      return o;
    }
    throw new IllegalArgumentException("config value at " + where + " is a " + v.getClass().getSimpleName()
        + "; only None, bool, int, float, str, list and dict can be stored");
  }

  static Object fromJson(JsonElement e) {
    if (e == null || e.isJsonNull()) {
      return null;
    }
    if (e.isJsonArray()) {
      List<Object> l = new ArrayList<>();
      for (JsonElement x : e.getAsJsonArray()) {
        l.add(fromJson(x));
      }
      return Collections.unmodifiableList(l);
    }
    if (e.isJsonObject()) {
      Map<String, Object> m = new LinkedHashMap<>();
      for (Map.Entry<String, JsonElement> x : e.getAsJsonObject().entrySet()) {
        m.put(x.getKey(), fromJson(x.getValue()));
      }
      return Collections.unmodifiableMap(m);
    }
    JsonPrimitive p = e.getAsJsonPrimitive();
    if (p.isBoolean()) {
      return p.getAsBoolean();
    }
    if (p.isString()) {
      return p.getAsString();
    }
    String text = p.getAsNumber().toString();
    if (text.contains(".") || text.contains("e") || text.contains("E") || text.contains("Infinity") || text.contains("NaN")) {
      return Double.parseDouble(text);
    }
    BigInteger b = new BigInteger(text);
    return b.bitLength() < 64 ? (Object) b.longValue() : b;
  }
}

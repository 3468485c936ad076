package dev.cdm.model.io;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plain Java values (null, Boolean, Long, Double, String, List, Map) to JSON text and back, as
 * Python's {@code json} module writes them: floats always with a fraction or exponent ({@code 1.0},
 * {@code 1e+08} style is accepted), integers never, and {@code Infinity}, {@code -Infinity}, {@code
 * NaN} as bare tokens. So a value read back has the type it was written with (int vs float), which
 * Gson's tree model cannot guarantee for the special floats. Tuples come back as lists.
 */
public final class JsonValues {
  private JsonValues() {}

  public static String write(Object v) {
    StringBuilder sb = new StringBuilder();
    write(v, sb, "config");
    return sb.toString();
  }

  private static void write(Object v, StringBuilder sb, String where) {
    if (v == null) {
      sb.append("null");
    } else if (v instanceof Boolean) {
      sb.append(v);
    } else if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (Double.isNaN(d)) {
        sb.append("NaN");
      } else if (Double.isInfinite(d)) {
        sb.append(d > 0 ? "Infinity" : "-Infinity");
      } else {
        sb.append(Double.toString(d)); // always has '.' or 'E'; parses back to the same double
      }
    } else if (v instanceof Long
        || v instanceof Integer
        || v instanceof Short
        || v instanceof Byte
        || v instanceof BigInteger) {
      sb.append(v);
    } else if (v instanceof String) {
      writeString((String) v, sb);
    } else if (v instanceof List) {
      sb.append('[');
      int i = 0;
      for (Object o : (List<?>) v) {
        if (i > 0) {
          sb.append(", ");
        }
        write(o, sb, where + "[" + i++ + "]");
      }
      sb.append(']');
    } else if (v instanceof Map) {
      sb.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
        if (!first) {
          sb.append(", ");
        }
        first = false;
        String k = String.valueOf(e.getKey());
        writeString(k, sb);
        sb.append(": ");
        write(e.getValue(), sb, where + "." + k);
      }
      sb.append('}');
    } else {
      throw new IllegalArgumentException(
          "config value at "
              + where
              + " is a "
              + v.getClass().getSimpleName()
              + "; only None, bool, int, float, str, list and dict can be stored");
    }
  }

  private static void writeString(String s, StringBuilder sb) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"':
          sb.append("\\\"");
          break;
        case '\\':
          sb.append("\\\\");
          break;
        case '\n':
          sb.append("\\n");
          break;
        case '\r':
          sb.append("\\r");
          break;
        case '\t':
          sb.append("\\t");
          break;
        default:
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
      }
    }
    sb.append('"');
  }

  /** Parses JSON text (with Python's special float tokens); errors say where. */
  public static Object parse(String text) {
    Parser p = new Parser(text);
    Object v = p.value();
    p.skipWs();
    if (p.pos != text.length()) {
      throw p.error("trailing characters");
    }
    return v;
  }

  private static final class Parser {
    final String s;
    int pos;
    int depth;

    Parser(String s) {
      this.s = s;
    }

    IllegalArgumentException error(String what) {
      return new IllegalArgumentException(what + " at character " + pos);
    }

    void skipWs() {
      while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
        pos++;
      }
    }

    boolean take(String token) {
      if (s.startsWith(token, pos)) {
        pos += token.length();
        return true;
      }
      return false;
    }

    Object value() {
      skipWs();
      if (pos >= s.length()) {
        throw error("unexpected end");
      }
      if (++depth > 200) {
        throw error("nested too deeply");
      }
      try {
        char c = s.charAt(pos);
        if (c == '{') {
          return object();
        }
        if (c == '[') {
          return array();
        }
        if (c == '"') {
          return string();
        }
        if (take("null")) {
          return null;
        }
        if (take("true")) {
          return Boolean.TRUE;
        }
        if (take("false")) {
          return Boolean.FALSE;
        }
        if (take("NaN")) {
          return Double.NaN;
        }
        if (take("Infinity")) {
          return Double.POSITIVE_INFINITY;
        }
        if (take("-Infinity")) {
          return Double.NEGATIVE_INFINITY;
        }
        return number();
      } finally {
        depth--;
      }
    }

    Map<String, Object> object() {
      pos++;
      Map<String, Object> m = new LinkedHashMap<>();
      skipWs();
      if (take("}")) {
        return Collections.unmodifiableMap(m);
      }
      while (true) {
        skipWs();
        if (pos >= s.length() || s.charAt(pos) != '"') {
          throw error("expected a string key");
        }
        String k = string();
        skipWs();
        if (!take(":")) {
          throw error("expected ':'");
        }
        m.put(k, value());
        skipWs();
        if (take(",")) {
          continue;
        }
        if (take("}")) {
          return Collections.unmodifiableMap(m);
        }
        throw error("expected ',' or '}'");
      }
    }

    List<Object> array() {
      pos++;
      List<Object> l = new ArrayList<>();
      skipWs();
      if (take("]")) {
        return Collections.unmodifiableList(l);
      }
      while (true) {
        l.add(value());
        skipWs();
        if (take(",")) {
          continue;
        }
        if (take("]")) {
          return Collections.unmodifiableList(l);
        }
        throw error("expected ',' or ']'");
      }
    }

    String string() {
      pos++;
      StringBuilder sb = new StringBuilder();
      while (true) {
        if (pos >= s.length()) {
          throw error("unterminated string");
        }
        char c = s.charAt(pos++);
        if (c == '"') {
          return sb.toString();
        }
        if (c != '\\') {
          sb.append(c);
          continue;
        }
        if (pos >= s.length()) {
          throw error("unterminated escape");
        }
        char e = s.charAt(pos++);
        switch (e) {
          case '"':
          case '\\':
          case '/':
            sb.append(e);
            break;
          case 'b':
            sb.append('\b');
            break;
          case 'f':
            sb.append('\f');
            break;
          case 'n':
            sb.append('\n');
            break;
          case 'r':
            sb.append('\r');
            break;
          case 't':
            sb.append('\t');
            break;
          case 'u':
            if (pos + 4 > s.length()) {
              throw error("short \\u escape");
            }
            try {
              sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
            } catch (NumberFormatException x) {
              throw error("bad \\u escape");
            }
            pos += 4;
            break;
          default:
            throw error("bad escape \\" + e);
        }
      }
    }

    Object number() {
      int start = pos;
      boolean isFloat = false;
      while (pos < s.length()) {
        char c = s.charAt(pos);
        if (c == '.' || c == 'e' || c == 'E') {
          isFloat = true;
        } else if (!(c == '-' || c == '+' || (c >= '0' && c <= '9'))) {
          break;
        }
        pos++;
      }
      String t = s.substring(start, pos);
      if (t.isEmpty()) {
        throw error("unexpected character '" + s.charAt(pos) + "'");
      }
      try {
        if (isFloat) {
          return Double.parseDouble(t);
        }
        BigInteger b = new BigInteger(t);
        return b.bitLength() < 64 ? (Object) b.longValue() : b;
      } catch (NumberFormatException x) {
        throw error("bad number '" + t + "'");
      }
    }
  }
}

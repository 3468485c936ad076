package dev.cdm.transforms.dataset;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A safe reader of CIFAR-10 python batches ({@code pickle.load(f, encoding='latin1')}): it builds
 * only dicts, lists, tuples, strings, numbers and uint8 numpy arrays, and refuses every global but
 * the three numpy ones a batch uses, naming the one it refused. Nothing from the file is executed.
 */
final class CifarBatchUnpickler {
  private static final Set<String> ALLOWED_GLOBALS =
      Set.of(
          "numpy.core.multiarray._reconstruct",
          "numpy._core.multiarray._reconstruct",
          "numpy.ndarray",
          "numpy.dtype");

  /** A decoded CIFAR batch: images [n, 3072] (CHW per row) and labels. */
  static final class Batch {
    final byte[] data;
    final int rows;
    final int[] labels;

    Batch(byte[] data, int rows, int[] labels) {
      this.data = data;
      this.rows = rows;
      this.labels = labels;
    }
  }

  private record Global(String module, String name) {}

  private static final class NdArray {
    List<Integer> shape;
    String dtype;
    byte[] data;
  }

  private static final class DType {
    final String spec;

    DType(String spec) {
      this.spec = spec;
    }
  }

  private static final Object MARK = new Object();

  private final ByteBuffer buf;
  private final String what;
  private final List<Object> stack = new ArrayList<>();
  private final Map<Integer, Object> memo = new HashMap<>();

  private CifarBatchUnpickler(byte[] bytes, String what) {
    this.buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    this.what = what;
  }

  /** Reads one batch; errors name {@code what} (the tarball member). */
  static Batch read(byte[] bytes, String what) throws IOException {
    Object root;
    try {
      root = new CifarBatchUnpickler(bytes, what).load();
    } catch (RuntimeException e) {
      throw new IOException(what + ": malformed pickle: " + e, e);
    }
    if (!(root instanceof Map)) {
      throw new IOException(what + ": expected a dict, got " + typeName(root));
    }
    Map<?, ?> dict = (Map<?, ?>) root;
    Object data = dict.get("data");
    Object labels = dict.get("labels");
    if (!(data instanceof NdArray)) {
      throw new IOException(what + ": key 'data' must be a numpy array, got " + typeName(data));
    }
    if (!(labels instanceof List)) {
      throw new IOException(what + ": key 'labels' must be a list, got " + typeName(labels));
    }
    NdArray a = (NdArray) data;
    if (a.dtype == null || !(a.dtype.equals("u1") || a.dtype.equals("|u1") || a.dtype.equals("uint8"))) {
      throw new IOException(what + ": 'data' must be uint8, got dtype " + a.dtype);
    }
    if (a.shape.size() != 2 || a.shape.get(1) != 3072) {
      throw new IOException(what + ": 'data' must have shape [n, 3072], got " + a.shape);
    }
    int rows = a.shape.get(0);
    if (a.data.length != rows * 3072) {
      throw new IOException(what + ": 'data' holds " + a.data.length + " bytes for shape " + a.shape);
    }
    List<?> l = (List<?>) labels;
    if (l.size() != rows) {
      throw new IOException(what + ": " + l.size() + " labels for " + rows + " images");
    }
    int[] out = new int[rows];
    for (int i = 0; i < rows; i++) {
      Object v = l.get(i);
      if (!(v instanceof Number)) {
        throw new IOException(what + ": label " + i + " is not an integer: " + typeName(v));
      }
      out[i] = ((Number) v).intValue();
      if (out[i] < 0 || out[i] > 9) {
        throw new IOException(what + ": label " + i + " is " + out[i] + ", CIFAR-10 labels are 0..9");
      }
    }
    return new Batch(a.data, rows, out);
  }

  private static String typeName(Object o) {
    return o == null ? "None" : o.getClass().getSimpleName();
  }

  private Object load() throws IOException {
    while (true) {
      int op = buf.get() & 0xff;
      switch (op) {
        case 0x80: // PROTO
          buf.get();
          break;
        case 0x95: // FRAME
          buf.getLong();
          break;
        case '.': // STOP
          return pop();
        case '(':
          stack.add(MARK);
          break;
        case '}':
          stack.add(new HashMap<Object, Object>());
          break;
        case ']':
          stack.add(new ArrayList<Object>());
          break;
        case ')':
          stack.add(List.of());
          break;
        case 'd': {
          List<Object> items = popMark();
          Map<Object, Object> m = new HashMap<>();
          for (int i = 0; i + 1 < items.size(); i += 2) {
            m.put(key(items.get(i)), items.get(i + 1));
          }
          stack.add(m);
          break;
        }
        case 'l':
          stack.add(new ArrayList<>(popMark()));
          break;
        case 't':
          stack.add(java.util.Collections.unmodifiableList(popMark()));
          break;
        case 0x85:
          stack.add(tuple(pop()));
          break;
        case 0x86: {
          Object b = pop();
          Object a = pop();
          stack.add(tuple(a, b));
          break;
        }
        case 0x87: {
          Object c = pop();
          Object b = pop();
          Object a = pop();
          stack.add(tuple(a, b, c));
          break;
        }
        case 's': {
          Object v = pop();
          Object k = pop();
          dict(peek()).put(key(k), v);
          break;
        }
        case 'u': {
          List<Object> items = popMark();
          Map<Object, Object> m = dict(peek());
          for (int i = 0; i + 1 < items.size(); i += 2) {
            m.put(key(items.get(i)), items.get(i + 1));
          }
          break;
        }
        case 'a': {
          Object v = pop();
          list(peek()).add(v);
          break;
        }
        case 'e': {
          List<Object> items = popMark();
          list(peek()).addAll(items);
          break;
        }
        case 'q':
          memo.put(buf.get() & 0xff, peek());
          break;
        case 'r':
          memo.put(buf.getInt(), peek());
          break;
        case 0x94:
          memo.put(memo.size(), peek());
          break;
        case 'p':
          memo.put(Integer.parseInt(line()), peek());
          break;
        case 'h':
          stack.add(memoGet(buf.get() & 0xff));
          break;
        case 'j':
          stack.add(memoGet(buf.getInt()));
          break;
        case 'g':
          stack.add(memoGet(Integer.parseInt(line())));
          break;
        case 'J':
          stack.add(buf.getInt());
          break;
        case 'K':
          stack.add(buf.get() & 0xff);
          break;
        case 'M':
          stack.add(buf.getShort() & 0xffff);
          break;
        case 'I': {
          String s = line();
          stack.add(s.equals("01") ? (Object) Boolean.TRUE : s.equals("00") ? Boolean.FALSE : Long.parseLong(s));
          break;
        }
        case 0x8a: { // LONG1: little-endian two's complement
          int n = buf.get() & 0xff;
          long v = 0;
          for (int i = 0; i < n; i++) {
            v |= (long) (buf.get() & 0xff) << (8 * i);
          }
          if (n > 0 && n < 8 && (v >> (8 * n - 1) & 1) == 1) {
            v -= 1L << (8 * n);
          }
          stack.add(v);
          break;
        }
        case 'G':
          stack.add(buf.order(ByteOrder.BIG_ENDIAN).getDouble());
          buf.order(ByteOrder.LITTLE_ENDIAN);
          break;
        case 'N':
          stack.add(null);
          break;
        case 0x88:
          stack.add(Boolean.TRUE);
          break;
        case 0x89:
          stack.add(Boolean.FALSE);
          break;
        case 'U': // SHORT_BINSTRING (a Python 2 str: bytes, read as latin1)
        case 'C': // SHORT_BINBYTES
          stack.add(bytes(buf.get() & 0xff));
          break;
        case 'T':
        case 'B':
          stack.add(bytes(buf.getInt()));
          break;
        case 0x8e:
          stack.add(bytes(Math.toIntExact(buf.getLong())));
          break;
        case 'X':
          stack.add(new String(bytes(buf.getInt()), StandardCharsets.UTF_8));
          break;
        case 0x8c:
          stack.add(new String(bytes(buf.get() & 0xff), StandardCharsets.UTF_8));
          break;
        case 'c': {
          String module = line();
          String name = line();
          stack.add(global(module, name));
          break;
        }
        case 0x93: {
          Object name = pop();
          Object module = pop();
          stack.add(global(str(module), str(name)));
          break;
        }
        case 'R': {
          Object args = pop();
          Object fn = pop();
          stack.add(reduce(fn, args));
          break;
        }
        case 'b': {
          Object state = pop();
          build(peek(), state);
          break;
        }
        default:
          throw new IOException(what + ": unsupported pickle opcode 0x" + Integer.toHexString(op)
              + " at byte " + (buf.position() - 1));
      }
    }
  }

  private Object global(String module, String name) throws IOException {
    String full = module + "." + name;
    if (!ALLOWED_GLOBALS.contains(full)) {
      throw new IOException(what + ": refusing to load global " + full
          + " (a CIFAR-10 batch only uses numpy's _reconstruct, ndarray and dtype)");
    }
    return new Global(module, name);
  }

  private Object reduce(Object fn, Object args) throws IOException {
    if (!(fn instanceof Global) || !(args instanceof List)) {
      throw new IOException(what + ": REDUCE of " + typeName(fn) + " is not allowed");
    }
    Global g = (Global) fn;
    List<?> a = (List<?>) args;
    if (g.name().equals("_reconstruct")) {
      return new NdArray();
    }
    if (g.name().equals("dtype") && !a.isEmpty()) {
      return new DType(str(a.get(0)));
    }
    throw new IOException(what + ": calling " + g.module() + "." + g.name() + " is not allowed");
  }

  private void build(Object target, Object state) throws IOException {
    if (target instanceof DType) {
      return; // byte order and flags of a one-byte type carry no information
    }
    if (!(target instanceof NdArray) || !(state instanceof List)) {
      throw new IOException(what + ": BUILD on " + typeName(target) + " is not allowed");
    }
    List<?> s = (List<?>) state;
    if (s.size() != 5) {
      throw new IOException(what + ": unexpected ndarray state of " + s.size() + " items");
    }
    NdArray a = (NdArray) target;
    a.shape = new ArrayList<>();
    for (Object d : (List<?>) s.get(1)) {
      a.shape.add(((Number) d).intValue());
    }
    a.dtype = s.get(2) instanceof DType ? ((DType) s.get(2)).spec : null;
    if (Boolean.TRUE.equals(s.get(3))) {
      throw new IOException(what + ": Fortran-ordered arrays are not expected in a CIFAR batch");
    }
    Object raw = s.get(4);
    a.data = raw instanceof byte[] ? (byte[]) raw : str(raw).getBytes(StandardCharsets.ISO_8859_1);
  }

  private static List<Object> tuple(Object... items) {
    List<Object> l = new ArrayList<>(items.length);
    for (Object o : items) {
      l.add(o);
    }
    return java.util.Collections.unmodifiableList(l);
  }

  private static Object key(Object k) {
    return k instanceof byte[] ? new String((byte[]) k, StandardCharsets.ISO_8859_1) : k;
  }

  private static String str(Object o) throws IOException {
    if (o instanceof String) {
      return (String) o;
    }
    if (o instanceof byte[]) {
      return new String((byte[]) o, StandardCharsets.ISO_8859_1);
    }
    throw new IOException("expected a string, got " + typeName(o));
  }

  @SuppressWarnings("unchecked")
  private Map<Object, Object> dict(Object o) throws IOException {
    if (!(o instanceof HashMap)) {
      throw new IOException(what + ": SETITEM on " + typeName(o));
    }
    return (Map<Object, Object>) o;
  }

  @SuppressWarnings("unchecked")
  private List<Object> list(Object o) throws IOException {
    if (!(o instanceof ArrayList)) {
      throw new IOException(what + ": APPEND on " + typeName(o));
    }
    return (List<Object>) o;
  }

  private Object memoGet(int i) throws IOException {
    if (!memo.containsKey(i)) {
      throw new IOException(what + ": memo entry " + i + " missing");
    }
    return memo.get(i);
  }

  private byte[] bytes(int n) {
    byte[] b = new byte[n];
    buf.get(b);
    return b;
  }

  private String line() {
    StringBuilder sb = new StringBuilder();
    byte c;
    while ((c = buf.get()) != '\n') {
      sb.append((char) (c & 0xff));
    }
    return sb.toString();
  }

  private Object pop() {
    return stack.remove(stack.size() - 1);
  }

  private Object peek() {
    return stack.get(stack.size() - 1);
  }

  private List<Object> popMark() throws IOException {
    int m = stack.size() - 1;
    while (m >= 0 && stack.get(m) != MARK) {
      m--;
    }
    if (m < 0) {
      throw new IOException(what + ": MARK missing");
    }
    List<Object> items = new ArrayList<>(stack.subList(m + 1, stack.size()));
    stack.subList(m, stack.size()).clear();
    return items;
  }
}

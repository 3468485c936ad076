package dev.cdm.model.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes checkpoints in the byte layouts that Python produces, without Python: a reference {@code
 * network-snapshot.pkl} (persistent objects, one nested legacy {@code torch.save} stream per
 * storage), a zip-format {@code torch.save} file, and a legacy-format one. Used to benchmark the
 * reader at full size (55.7M parameters) and to test layouts the fixtures do not contain (strided
 * views, other dtypes). Only what these layouts need of the pickle protocol is written.
 */
public final class SyntheticCheckpoint {
  /** How tensors are stored. */
  public enum Layout {
    REFERENCE_PKL,
    TORCH_ZIP,
    TORCH_LEGACY
  }

  /** A tensor to store: a storage plus the view torch rebuilds over it. */
  public static final class View {
    final TensorData storage;
    final long offset;
    final long[] size;
    final long[] stride;

    public View(TensorData storage, long offset, long[] size, long[] stride) {
      this.storage = storage;
      this.offset = offset;
      this.size = size;
      this.stride = stride;
    }

    public TensorData storage() {
      return storage;
    }

    public long offset() {
      return offset;
    }

    public long[] size() {
      return size.clone();
    }

    public long[] stride() {
      return stride.clone();
    }

    /** A contiguous view of the whole tensor. */
    public static View of(TensorData t) {
      long[] shape = t.shape();
      long[] stride = new long[shape.length];
      long s = 1;
      for (int i = shape.length - 1; i >= 0; i--) {
        stride[i] = s;
        s *= shape[i];
      }
      return new View(t, 0, shape, stride);
    }
  }

  private SyntheticCheckpoint() {}

  /**
   * {@code dict(ema=<persistent className(**initKwargs) whose submodule 'model' holds the
   * parameters>, loss_fn=None, augment_pipe=None, dataset_kwargs={})} in the given layout.
   */
  public static void write(
      OutputStream out,
      Layout layout,
      String className,
      Map<String, Object> initKwargs,
      Map<String, View> params)
      throws IOException {
    Map<String, Object> rest = new LinkedHashMap<>();
    rest.put("loss_fn", null);
    rest.put("augment_pipe", null);
    rest.put("dataset_kwargs", Map.of());
    write(out, layout, "ema", className, initKwargs, params, rest);
  }

  /**
   * {@code dict(<networkKey>=<persistent network>, **rest)}; values in {@code rest} may be None,
   * bool, int, float, str, lists, {@link dev.cdm.model.io.pickle.PyTuple}s, maps and {@link View}s
   * (plain tensors), e.g. {@code training-state-*.pt}'s {@code optimizer_state}.
   */
  public static void write(
      OutputStream out,
      Layout layout,
      String networkKey,
      String className,
      Map<String, Object> initKwargs,
      Map<String, View> params,
      Map<String, Object> rest)
      throws IOException {
    Map<String, byte[]> zipStorages = new LinkedHashMap<>();
    Map<String, View> legacyStorages = new LinkedHashMap<>();
    P p = new P(layout, zipStorages, legacyStorages);
    p.proto(layout == Layout.REFERENCE_PKL ? 4 : 2);
    p.emptyDict();
    p.mark();
    p.str(networkKey);
    p.persistent(
        className,
        initKwargs,
        () -> {
          p.str("model");
          p.persistent("Linear", Map.of(), null, params);
        },
        Map.of());
    for (Map.Entry<String, Object> e : rest.entrySet()) {
      p.str(e.getKey());
      p.value(e.getValue());
    }
    p.setitems();
    p.stop();

    if (layout == Layout.REFERENCE_PKL) {
      out.write(p.toByteArray());
    } else if (layout == Layout.TORCH_ZIP) {
      try (ZipOutputStream z = new ZipOutputStream(out)) {
        stored(z, "archive/data.pkl", p.toByteArray());
        for (Map.Entry<String, byte[]> e : zipStorages.entrySet()) {
          stored(z, "archive/data/" + e.getKey(), e.getValue());
        }
        stored(z, "archive/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
        stored(z, "archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
      }
    } else {
      out.write(legacyPreamble());
      out.write(p.toByteArray());
      P keys = new P(Layout.TORCH_LEGACY, null, null);
      keys.proto(2);
      keys.emptyList();
      keys.mark();
      for (String k : legacyStorages.keySet()) {
        keys.str(k);
      }
      keys.appends();
      keys.stop();
      out.write(keys.toByteArray());
      for (View v : legacyStorages.values()) {
        out.write(le8(v.storage.numel()));
        out.write(v.storage.toByteArray());
      }
    }
  }

  private static void stored(ZipOutputStream z, String name, byte[] data) throws IOException {
    ZipEntry e = new ZipEntry(name);
    e.setMethod(ZipEntry.STORED);
    e.setSize(data.length);
    CRC32 crc = new CRC32();
    crc.update(data);
    e.setCrc(crc.getValue());
    z.putNextEntry(e);
    z.write(data);
    z.closeEntry();
  }

  private static byte[] le8(long v) {
    return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
  }

  /** Magic number, protocol version and sys info pickles that open a legacy torch.save stream. */
  static byte[] legacyPreamble() {
    P p = new P(Layout.TORCH_LEGACY, null, null);
    p.proto(2);
    p.raw(0x8a);
    p.raw(10);
    p.bytes(
        new byte[] {
          0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19
        });
    p.stop();
    p.proto(2);
    p.integer(1001);
    p.stop();
    p.proto(2);
    p.emptyDict();
    p.mark();
    p.str("protocol_version");
    p.integer(1001);
    p.str("little_endian");
    p.raw(0x88);
    p.str("type_sizes");
    p.emptyDict();
    p.mark();
    p.str("short");
    p.integer(2);
    p.str("int");
    p.integer(4);
    p.str("long");
    p.integer(4);
    p.setitems();
    p.setitems();
    p.stop();
    return p.toByteArray();
  }

  /** A tiny pickle emitter. */
  private static final class P {
    final ByteArrayOutputStream b = new ByteArrayOutputStream();
    final Layout layout;
    final Map<String, byte[]> zipStorages;
    final Map<String, View> legacyStorages;
    int nextKey;

    P(Layout layout, Map<String, byte[]> zipStorages, Map<String, View> legacyStorages) {
      this.layout = layout;
      this.zipStorages = zipStorages;
      this.legacyStorages = legacyStorages;
    }

    byte[] toByteArray() {
      return b.toByteArray();
    }

    void raw(int op) {
      b.write(op);
    }

    void bytes(byte[] x) {
      b.write(x, 0, x.length);
    }

    void proto(int v) {
      raw(0x80);
      raw(v);
    }

    void stop() {
      raw('.');
    }

    void mark() {
      raw('(');
    }

    void setitems() {
      raw('u');
    }

    void appends() {
      raw('e');
    }

    void emptyDict() {
      raw('}');
    }

    void emptyList() {
      raw(']');
    }

    void none() {
      raw('N');
    }

    void bool(boolean v) {
      raw(v ? 0x88 : 0x89);
    }

    void str(String s) {
      byte[] u = s.getBytes(StandardCharsets.UTF_8);
      raw('X');
      bytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(u.length).array());
      bytes(u);
    }

    void integer(long v) {
      raw(0x8a);
      raw(8);
      bytes(le8(v));
    }

    void dbl(double v) {
      raw('G');
      bytes(ByteBuffer.allocate(8).putDouble(v).array());
    }

    void global(String module, String name) {
      if (layout == Layout.REFERENCE_PKL) {
        str(module);
        str(name);
        raw(0x93);
      } else {
        raw('c');
        bytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
      }
    }

    void value(Object v) {
      if (v == null) {
        none();
      } else if (v instanceof Boolean) {
        bool((Boolean) v);
      } else if (v instanceof Double) {
        dbl((Double) v);
      } else if (v instanceof Number) {
        integer(((Number) v).longValue());
      } else if (v instanceof String) {
        str((String) v);
      } else if (v instanceof dev.cdm.model.io.pickle.PyTuple) {
        mark();
        for (Object o : (java.util.List<?>) v) {
          value(o);
        }
        raw('t');
      } else if (v instanceof View) {
        tensor((View) v);
      } else if (v instanceof Map) {
        emptyDict();
        if (!((Map<?, ?>) v).isEmpty()) {
          mark();
          for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
            value(e.getKey());
            value(e.getValue());
          }
          setitems();
        }
      } else if (v instanceof java.util.List) {
        emptyList();
        mark();
        for (Object o : (java.util.List<?>) v) {
          value(o);
        }
        appends();
      } else {
        throw new IllegalArgumentException("cannot write " + v);
      }
    }

    void tuple(long[] xs) {
      mark();
      for (long x : xs) {
        integer(x);
      }
      raw('t');
    }

    void orderedDict() {
      global("collections", "OrderedDict");
      raw(')');
      raw('R');
    }

    /**
     * _reconstruct_persistent_obj(dict(type='class', version=6, module_src=..., class_name=...,
     * state=...)).
     */
    void persistent(
        String className,
        Map<String, Object> initKwargs,
        Runnable submodules,
        Map<String, View> params) {
      global("torch_utils.persistence", "_reconstruct_persistent_obj");
      emptyDict();
      mark();
      str("type");
      str("class");
      str("version");
      integer(6);
      str("module_src");
      str("# synthetic\n");
      str("class_name");
      str(className);
      str("state");
      emptyDict();
      mark();
      str("training");
      bool(false);
      str("_parameters");
      emptyDict();
      if (!params.isEmpty()) {
        mark();
        for (Map.Entry<String, View> e : params.entrySet()) {
          str(e.getKey());
          parameter(e.getValue());
        }
        setitems();
      }
      str("_buffers");
      emptyDict();
      str("_non_persistent_buffers_set");
      raw(0x8f);
      str("_modules");
      emptyDict();
      if (submodules != null) {
        mark();
        submodules.run();
        setitems();
      }
      str("_init_args");
      raw(')');
      str("_init_kwargs");
      emptyDict();
      if (!initKwargs.isEmpty()) {
        mark();
        for (Map.Entry<String, Object> e : initKwargs.entrySet()) {
          str(e.getKey());
          value(e.getValue());
        }
        setitems();
      }
      setitems(); // state
      setitems(); // meta
      raw(0x85);
      raw('R');
    }

    void tensor(View v) {
      global("torch._utils", "_rebuild_tensor_v2");
      mark();
      storage(v);
      integer(v.offset);
      tuple(v.size);
      tuple(v.stride);
      bool(false);
      orderedDict();
      raw('t');
      raw('R');
    }

    void parameter(View v) {
      global("torch._utils", "_rebuild_parameter");
      tensor(v);
      bool(false);
      orderedDict();
      raw(0x87);
      raw('R');
    }

    void storage(View v) {
      String key = String.valueOf(nextKey++);
      String type = v.storage.dtype().torchStorageName();
      if (layout == Layout.REFERENCE_PKL) {
        P inner = new P(Layout.TORCH_LEGACY, null, null);
        inner.storagePid(type, key, v.storage.numel());
        inner.stop();
        P keys = new P(Layout.TORCH_LEGACY, null, null);
        keys.proto(2);
        keys.emptyList();
        keys.str(key);
        keys.raw('a');
        keys.stop();
        ByteArrayOutputStream nested = new ByteArrayOutputStream();
        nested.writeBytes(legacyPreamble());
        nested.writeBytes(inner.toByteArray());
        nested.writeBytes(keys.toByteArray());
        nested.writeBytes(le8(v.storage.numel()));
        nested.writeBytes(v.storage.toByteArray());
        byte[] nb = nested.toByteArray();
        global("torch.storage", "_load_from_bytes");
        raw(0x8e); // BINBYTES8
        bytes(le8(nb.length));
        bytes(nb);
        raw(0x85);
        raw('R');
      } else {
        storagePid(type, key, v.storage.numel());
        if (layout == Layout.TORCH_ZIP) {
          zipStorages.put(key, v.storage.toByteArray());
        } else {
          legacyStorages.put(key, v);
        }
      }
    }

    /** BINPERSID ('storage', torch.<Type>Storage, key, 'cpu', numel[, None]). */
    void storagePid(String type, String key, long numel) {
      if (b.size() == 0) {
        proto(2);
      }
      mark();
      str("storage");
      raw('c');
      bytes(("torch\n" + type + "\n").getBytes(StandardCharsets.US_ASCII));
      str(key);
      str("cpu");
      integer(numel);
      if (layout != Layout.TORCH_ZIP) {
        none();
      }
      raw('t');
      raw('Q');
    }
  }
}

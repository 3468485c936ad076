package dev.cdm.model.io;

import dev.cdm.model.io.pickle.GlobalResolver;
import dev.cdm.model.io.pickle.PickleException;
import dev.cdm.model.io.pickle.PyGlobal;
import dev.cdm.model.io.pickle.PyTuple;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The explicit allow-list of Python globals that reference checkpoints may name, each mapped to
 * Java code that only builds data. Everything a published EDM/CDM snapshot pickles is here: the
 * persistence hook, torch's tensor/parameter/storage rebuild functions, the container modules, the
 * numpy scalar used for {@code skip_scale}, and a few harmless builtins. Any other global is
 * refused by the unpickler with an error naming it.
 */
final class ReferenceGlobals implements GlobalResolver {
  /** Torch container and layer classes that may appear as plain (non-persistent) submodules. */
  private static final List<String> TORCH_MODULES =
      List.of(
          "torch.nn.modules.container.ModuleDict", "torch.nn.modules.container.ModuleList",
          "torch.nn.modules.container.Sequential", "torch.nn.modules.container.ParameterDict",
          "torch.nn.modules.container.ParameterList", "torch.nn.modules.linear.Linear",
          "torch.nn.modules.linear.Identity", "torch.nn.modules.conv.Conv2d",
          "torch.nn.modules.normalization.GroupNorm", "torch.nn.modules.normalization.LayerNorm",
          "torch.nn.modules.dropout.Dropout", "torch.nn.modules.activation.SiLU",
          "torch.nn.modules.activation.ReLU", "torch.nn.modules.activation.GELU");

  private static final List<String> TORCH_DTYPES =
      List.of(
          "float32",
          "float64",
          "float16",
          "bfloat16",
          "int64",
          "int32",
          "int16",
          "int8",
          "uint8",
          "bool",
          "float",
          "double",
          "half",
          "long",
          "int",
          "short");

  private final String source;
  private final Map<String, PyGlobal> table = new HashMap<>();

  /** Set when a tensor was rebuilt over a storage whose bytes come later in a legacy stream. */
  boolean sawPendingStorage;

  ReferenceGlobals(String source) {
    this.source = source;
    add(
        "torch_utils.persistence._reconstruct_persistent_obj",
        args -> {
          arity(args, 1, 1, "_reconstruct_persistent_obj");
          return PersistentObject.fromMeta(args.get(0), source);
        });
    PyGlobal orderedDict =
        new PyGlobal() {
          @Override
          public String qualifiedName() {
            return "collections.OrderedDict";
          }

          @Override
          public Object call(PyTuple args) throws PickleException {
            Map<Object, Object> m = new LinkedHashMap<>();
            if (!args.isEmpty() && args.get(0) instanceof List) {
              for (Object pair : (List<?>) args.get(0)) {
                List<?> kv = (List<?>) pair;
                m.put(kv.get(0), kv.get(1));
              }
            } else if (!args.isEmpty() && args.get(0) instanceof Map) {
              m.putAll((Map<?, ?>) args.get(0));
            }
            return m;
          }

          @Override
          public Object newObject(PyTuple args, Map<String, Object> kwargs) {
            return new LinkedHashMap<>();
          }
        };
    table.put(orderedDict.qualifiedName(), orderedDict);
    PyGlobal easyDict =
        new PyGlobal() {
          @Override
          public String qualifiedName() {
            return "dnnlib.util.EasyDict";
          }

          @Override
          public Object call(PyTuple args) {
            Map<Object, Object> m = new LinkedHashMap<>();
            if (!args.isEmpty() && args.get(0) instanceof Map) {
              m.putAll((Map<?, ?>) args.get(0));
            }
            return m;
          }

          @Override
          public Object newObject(PyTuple args, Map<String, Object> kwargs) {
            return new LinkedHashMap<>(kwargs);
          }
        };
    table.put(easyDict.qualifiedName(), easyDict);

    // Tensors: _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad,
    // backward_hooks[, metadata]).
    add(
        "torch._utils._rebuild_tensor_v2",
        args -> {
          arity(args, 6, 7, "_rebuild_tensor_v2");
          return rebuildTensor(args.get(0), args.get(1), args.get(2), args.get(3), null);
        });
    add(
        "torch._utils._rebuild_tensor",
        args -> {
          arity(args, 4, 4, "_rebuild_tensor");
          return rebuildTensor(args.get(0), args.get(1), args.get(2), args.get(3), null);
        });
    // _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks,
    // dtype[, metadata]).
    add(
        "torch._utils._rebuild_tensor_v3",
        args -> {
          arity(args, 7, 8, "_rebuild_tensor_v3");
          return rebuildTensor(args.get(0), args.get(1), args.get(2), args.get(3), args.get(6));
        });
    // Parameters wrap an already rebuilt tensor: _rebuild_parameter(data, requires_grad,
    // backward_hooks[, state]).
    add(
        "torch._utils._rebuild_parameter",
        args -> {
          arity(args, 3, 3, "_rebuild_parameter");
          return args.get(0);
        });
    add(
        "torch._utils._rebuild_parameter_with_state",
        args -> {
          arity(args, 4, 4, "_rebuild_parameter_with_state");
          return args.get(0);
        });
    // Tensor subclasses: _rebuild_from_type_v2(func, new_type, args, state); func must itself be
    // allow-listed.
    add(
        "torch._tensor._rebuild_from_type_v2",
        args -> {
          arity(args, 4, 4, "_rebuild_from_type_v2");
          if (!(args.get(0) instanceof PyGlobal) || !(args.get(2) instanceof PyTuple)) {
            throw new PickleException(
                "_rebuild_from_type_v2 in " + source + " without a rebuild function and arguments");
          }
          return ((PyGlobal) args.get(0)).call((PyTuple) args.get(2));
        });
    table.put("torch.Tensor", PyGlobal.token("torch.Tensor"));
    table.put("torch.nn.parameter.Parameter", PyGlobal.token("torch.nn.parameter.Parameter"));
    // Storages pickled by torch >= 1.x inside a plain pickle: a nested torch.save stream.
    add(
        "torch.storage._load_from_bytes",
        args -> {
          arity(args, 1, 1, "_load_from_bytes");
          if (!(args.get(0) instanceof byte[])) {
            throw new PickleException("_load_from_bytes in " + source + " without bytes");
          }
          return TorchSerialization.loadBytes((byte[]) args.get(0), "a storage in " + source);
        });
    for (TensorDType t : TensorDType.values()) {
      table.put("torch." + t.torchStorageName(), new StorageType(t));
      // torch < 1.13 named storages saved from the GPU (training-state-*.pt)
      // torch.cuda.<Type>Storage.
      table.put("torch.cuda." + t.torchStorageName(), new StorageType(t));
    }
    table.put("torch.UntypedStorage", new StorageType(TensorDType.UINT8));
    for (String d : TORCH_DTYPES) {
      table.put("torch." + d, PyGlobal.token("torch." + d));
    }
    add(
        "torch.Size",
        args -> {
          arity(args, 0, 1, "torch.Size");
          return args.isEmpty() ? PyTuple.EMPTY : PyTuple.copyOf((List<?>) args.get(0));
        });
    add(
        "torch.device",
        args -> {
          arity(args, 1, 2, "torch.device");
          return args.size() == 1 ? String.valueOf(args.get(0)) : args.get(0) + ":" + args.get(1);
        });
    for (String m : TORCH_MODULES) {
      int dot = m.lastIndexOf('.');
      String module = m.substring(0, dot);
      String cls = m.substring(dot + 1);
      table.put(
          m,
          new PyGlobal() {
            @Override
            public String qualifiedName() {
              return m;
            }

            @Override
            public Object newObject(PyTuple args, Map<String, Object> kwargs) {
              return new PickledObject(module, cls, source);
            }
          });
    }
    // numpy scalars, e.g. skip_scale = np.sqrt(0.5): scalar(dtype, raw bytes).
    for (String mod : List.of("numpy.core.multiarray", "numpy._core.multiarray")) {
      add(
          mod + ".scalar",
          args -> {
            arity(args, 1, 2, "numpy scalar");
            if (!(args.get(0) instanceof NumpyDType)) {
              throw new PickleException("numpy scalar in " + source + " without a dtype");
            }
            return ((NumpyDType) args.get(0)).scalar(args.size() > 1 ? args.get(1) : null, source);
          });
    }
    add(
        "numpy.dtype",
        args -> {
          arity(args, 1, 3, "numpy.dtype");
          return new NumpyDType(String.valueOf(args.get(0)));
        });
    // Pure builtins that pickles use to spell bytes and sets at low protocols.
    add(
        "_codecs.encode",
        args -> {
          arity(args, 1, 2, "_codecs.encode");
          // Python 3 spells bytes at protocol < 3 as encode(text, 'latin1').
          return String.valueOf(args.get(0)).getBytes(StandardCharsets.ISO_8859_1);
        });
    add(
        "builtins.set",
        args -> new LinkedHashSet<>(args.isEmpty() ? List.of() : (List<?>) args.get(0)));
    add(
        "builtins.frozenset",
        args -> new LinkedHashSet<>(args.isEmpty() ? List.of() : (List<?>) args.get(0)));
    add(
        "builtins.bytearray",
        args -> {
          if (args.isEmpty()) {
            return new byte[0];
          }
          Object a = args.get(0);
          if (a instanceof byte[]) {
            return a;
          }
          return String.valueOf(a).getBytes(StandardCharsets.ISO_8859_1);
        });
  }

  /** The allow-listed names, for documentation and error messages. */
  static Set<String> allowed() {
    return Collections.unmodifiableSet(new TreeSet<>(new ReferenceGlobals("-").table.keySet()));
  }

  @Override
  public PyGlobal resolve(String module, String name) {
    return table.get(module + "." + name);
  }

  private void add(String qualified, PyGlobal.Function fn) {
    table.put(qualified, PyGlobal.function(qualified, fn));
  }

  private void arity(PyTuple args, int min, int max, String what) throws PickleException {
    if (args.size() < min || args.size() > max) {
      throw new PickleException(
          what + " in " + source + " called with " + args.size() + " arguments");
    }
  }

  private Object rebuildTensor(
      Object storageObj, Object offset, Object size, Object stride, Object dtype)
      throws PickleException {
    if (!(storageObj instanceof TorchStorage)) {
      throw new PickleException(
          "tensor in "
              + source
              + " without a storage (got "
              + (storageObj == null ? "None" : storageObj.getClass().getSimpleName())
              + ")");
    }
    TorchStorage storage = (TorchStorage) storageObj;
    if (!storage.hasBytes()) {
      // A legacy torch.save stream: storage data follows the pickle; TorchSerialization reads it
      // twice.
      sawPendingStorage = true;
      return null;
    }
    TensorDType type = storage.dtype();
    if (dtype != null) {
      type = TensorDType.fromTorchName(String.valueOf(dtype));
      if (type == null) {
        throw new PickleException("tensor in " + source + " has unsupported dtype " + dtype);
      }
    }
    try {
      return TensorData.fromStrided(
          storage.bytes(), type, toLong(offset), toLongs(size), toLongs(stride));
    } catch (IllegalArgumentException | ClassCastException e) {
      throw new PickleException("bad tensor in " + source + ": " + e.getMessage(), e);
    }
  }

  private static long toLong(Object o) {
    return ((Number) o).longValue();
  }

  private static long[] toLongs(Object o) {
    List<?> l = (List<?>) o;
    long[] out = new long[l.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = toLong(l.get(i));
    }
    return out;
  }

  /** A torch storage class such as {@code torch.FloatStorage}; only named inside persistent ids. */
  static final class StorageType implements PyGlobal {
    final TensorDType dtype;

    StorageType(TensorDType dtype) {
      this.dtype = dtype;
    }

    @Override
    public String qualifiedName() {
      return "torch." + dtype.torchStorageName();
    }

    @Override
    public String toString() {
      return qualifiedName();
    }
  }
}

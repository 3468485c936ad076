package dev.cdm.model.io;

import ai.djl.ndarray.types.DataType;
import java.util.Locale;

/**
 * Element types of tensors read from reference checkpoints and written to snapshots, with their
 * names in torch's legacy storage classes and in safetensors headers.
 */
public enum TensorDType {
  FLOAT32("FloatStorage", "F32", 4, DataType.FLOAT32),
  FLOAT64("DoubleStorage", "F64", 8, DataType.FLOAT64),
  FLOAT16("HalfStorage", "F16", 2, DataType.FLOAT16),
  BFLOAT16("BFloat16Storage", "BF16", 2, DataType.BFLOAT16),
  INT64("LongStorage", "I64", 8, DataType.INT64),
  INT32("IntStorage", "I32", 4, DataType.INT32),
  INT16("ShortStorage", "I16", 2, DataType.INT16),
  INT8("CharStorage", "I8", 1, DataType.INT8),
  UINT8("ByteStorage", "U8", 1, DataType.UINT8),
  BOOL("BoolStorage", "BOOL", 1, DataType.BOOLEAN);

  private final String torchStorage;
  private final String safetensorsName;
  private final int elementSize;
  private final DataType djl;

  TensorDType(String torchStorage, String safetensorsName, int elementSize, DataType djl) {
    this.torchStorage = torchStorage;
    this.safetensorsName = safetensorsName;
    this.elementSize = elementSize;
    this.djl = djl;
  }

  /** Bytes per element. */
  public int elementSize() {
    return elementSize;
  }

  /** The dtype name in a safetensors header, e.g. {@code F32}. */
  public String safetensorsName() {
    return safetensorsName;
  }

  /** The class name of torch's legacy typed storage, e.g. {@code FloatStorage}. */
  public String torchStorageName() {
    return torchStorage;
  }

  public DataType djlType() {
    return djl;
  }

  /** The torch dtype name, e.g. {@code float32}. */
  public String torchName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The dtype of a torch storage class name ({@code FloatStorage}), or {@code null} if unknown. */
  public static TensorDType fromTorchStorage(String className) {
    for (TensorDType t : values()) {
      if (t.torchStorage.equals(className)) {
        return t;
      }
    }
    return null;
  }

  /** The dtype of a safetensors dtype name ({@code F32}), or {@code null} if unknown. */
  public static TensorDType fromSafetensors(String name) {
    for (TensorDType t : values()) {
      if (t.safetensorsName.equals(name)) {
        return t;
      }
    }
    return null;
  }

  /** The dtype of a torch dtype name ({@code float32}, {@code torch.float32}), or {@code null}. */
  public static TensorDType fromTorchName(String name) {
    String n = name.startsWith("torch.") ? name.substring(6) : name;
    switch (n) {
      case "float":
        return FLOAT32;
      case "double":
        return FLOAT64;
      case "half":
        return FLOAT16;
      case "long":
        return INT64;
      case "int":
        return INT32;
      case "short":
        return INT16;
      default:
        for (TensorDType t : values()) {
          if (t.torchName().equals(n)) {
            return t;
          }
        }
        return null;
    }
  }

  /** The dtype of a DJL data type, or {@code null} if there is no counterpart. */
  public static TensorDType fromDjl(DataType type) {
    for (TensorDType t : values()) {
      if (t.djl == type) {
        return t;
      }
    }
    return null;
  }
}

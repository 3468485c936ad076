package dev.cdm.model.precond;

import ai.djl.ndarray.types.DataType;

/**
 * Execution precision of the network inside a preconditioner (the reference's {@code use_fp16},
 * extended with bfloat16). Only applies on a GPU, as in the reference; parameters stay float32.
 */
public enum Precision {
  FP32(DataType.FLOAT32),
  FP16(DataType.FLOAT16),
  BF16(DataType.BFLOAT16);

  private final DataType dataType;

  Precision(DataType dataType) {
    this.dataType = dataType;
  }

  public DataType dataType() {
    return dataType;
  }

  /** Parses {@code fp32|fp16|bf16} (case-insensitive); the error names the flag value. */
  public static Precision parse(String s) {
    for (Precision p : values()) {
      if (p.name().equalsIgnoreCase(s)) {
        return p;
      }
    }
    throw new IllegalArgumentException("precision '" + s + "': expected fp32, fp16 or bf16");
  }
}

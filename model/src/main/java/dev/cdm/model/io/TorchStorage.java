package dev.cdm.model.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One torch storage (a flat typed buffer) read from a checkpoint; tensors are strided views of it.
 * The bytes are little-endian; big-endian checkpoints are refused when read.
 */
public final class TorchStorage {
  private final TensorDType dtype;
  private final String key;
  private final String location;
  private ByteBuffer bytes; // filled after the pickle that names the storage has been read

  TorchStorage(TensorDType dtype, String key, String location) {
    this.dtype = dtype;
    this.key = key;
    this.location = location;
  }

  public TensorDType dtype() {
    return dtype;
  }

  /** The key torch gave the storage in its file. */
  public String key() {
    return key;
  }

  /** The device the storage was saved from, e.g. {@code cpu} or {@code cuda:0}. */
  public String location() {
    return location;
  }

  public long numel() {
    return bytes.remaining() / dtype.elementSize();
  }

  /** A read-only view of the bytes, positioned at 0. */
  public ByteBuffer bytes() {
    if (bytes == null) {
      throw new IllegalStateException("storage " + key + " has no data yet");
    }
    return bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
  }

  void setBytes(ByteBuffer b) {
    this.bytes = b.slice().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  boolean hasBytes() {
    return bytes != null;
  }

  @Override
  public String toString() {
    return "TorchStorage(" + dtype.torchStorageName() + ", key " + key + ", " + location + ")";
  }
}

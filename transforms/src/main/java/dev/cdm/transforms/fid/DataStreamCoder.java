package dev.cdm.transforms.fid;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;

/**
 * A coder that writes its value field by field with {@link DataOutputStream} (big-endian header
 * numbers, raw arrays) and reads it back with {@link DataInputStream}; deterministic, as every
 * {@link AtomicCoder} that does not say otherwise. Subclasses give the fields.
 */
abstract class DataStreamCoder<T> extends AtomicCoder<T> {

  /** Writes the fields of {@code value}. */
  abstract void write(T value, DataOutputStream out) throws IOException;

  /** Reads the fields in the order {@link #write} wrote them. */
  abstract T read(DataInputStream in) throws IOException;

  @Override
  public final void encode(T value, OutputStream out) throws IOException {
    DataOutputStream d = new DataOutputStream(out);
    write(value, d);
    d.flush();
  }

  @Override
  public final T decode(InputStream in) throws IOException {
    return read(new DataInputStream(in));
  }
}

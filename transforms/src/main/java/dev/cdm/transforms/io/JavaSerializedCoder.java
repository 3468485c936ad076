package dev.cdm.transforms.io;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.Serializable;
import org.apache.beam.sdk.coders.CustomCoder;

/**
 * Java serialization as a Beam coder for accumulator-like values without value equality (partial
 * scores, feature rows). Unlike {@code SerializableCoder}, its structural value is the encoding, so
 * the DirectRunner's mutation checks compare bytes instead of warning about {@code equals}.
 */
public final class JavaSerializedCoder<T extends Serializable> extends CustomCoder<T> {
  private static final long serialVersionUID = 1L;

  private final Class<T> type;

  private JavaSerializedCoder(Class<T> type) {
    this.type = type;
  }

  public static <T extends Serializable> JavaSerializedCoder<T> of(Class<T> type) {
    return new JavaSerializedCoder<>(type);
  }

  @Override
  public void encode(T value, OutputStream out) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream o = new ObjectOutputStream(bytes)) {
      o.writeObject(value);
    }
    DataOutputStream d = new DataOutputStream(out);
    d.writeInt(bytes.size());
    bytes.writeTo(d);
    d.flush();
  }

  @Override
  public T decode(InputStream in) throws IOException {
    DataInputStream d = new DataInputStream(in);
    byte[] bytes = new byte[d.readInt()];
    d.readFully(bytes);
    try (ObjectInputStream o = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
      return type.cast(o.readObject());
    } catch (ClassNotFoundException e) {
      throw new IOException("cannot decode a " + type.getName() + ": " + e.getMessage(), e);
    }
  }
}

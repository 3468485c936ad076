package dev.cdm.model.io;

import dev.cdm.model.io.pickle.Buildable;
import dev.cdm.model.io.pickle.PickleException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/** A numpy dtype as pickled: {@code dtype('f8', False, True)} then {@code BUILD (3, '<', ...)}. */
final class NumpyDType implements Buildable {
  final String code;
  String byteOrder = "<";

  NumpyDType(String code) {
    this.code = code;
  }

  @Override
  public void build(Object state) throws PickleException {
    if (state instanceof List && ((List<?>) state).size() > 1) {
      byteOrder = String.valueOf(((List<?>) state).get(1));
    }
  }

  /**
   * The array-protocol descriptor ({@code <f8}, {@code |u1}): the byte order from BUILD, unless the
   * code carries its own.
   */
  String descr() {
    return code.matches("^[<>=|].*") ? code : byteOrder + code;
  }

  Object scalar(Object raw, String source) throws PickleException {
    if (!(raw instanceof byte[])) {
      throw new PickleException("numpy " + code + " scalar in " + source + " without raw bytes");
    }
    byte[] b = (byte[]) raw;
    ByteBuffer buf =
        ByteBuffer.wrap(b)
            .order(">".equals(byteOrder) ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
    String c = code.replaceAll("^[<>=|]", "");
    int need;
    Object value;
    switch (c) {
      case "f8":
        need = 8;
        value = b.length == need ? buf.getDouble() : null;
        break;
      case "f4":
        need = 4;
        value = b.length == need ? (double) buf.getFloat() : null;
        break;
      case "f2":
        need = 2;
        value = b.length == need ? (double) TensorData.halfToFloat(buf.getShort()) : null;
        break;
      case "i8":
        need = 8;
        value = b.length == need ? buf.getLong() : null;
        break;
      case "i4":
        need = 4;
        value = b.length == need ? (long) buf.getInt() : null;
        break;
      case "i2":
        need = 2;
        value = b.length == need ? (long) buf.getShort() : null;
        break;
      case "i1":
        need = 1;
        value = b.length == need ? (long) buf.get() : null;
        break;
      case "u8":
        need = 8;
        value = b.length == need ? buf.getLong() : null;
        break;
      case "u4":
        need = 4;
        value = b.length == need ? buf.getInt() & 0xffffffffL : null;
        break;
      case "u2":
        need = 2;
        value = b.length == need ? (long) (buf.getShort() & 0xffff) : null;
        break;
      case "u1":
        need = 1;
        value = b.length == need ? (long) (buf.get() & 0xff) : null;
        break;
      case "b1":
        need = 1;
        value = b.length == need ? buf.get() != 0 : null;
        break;
      default:
        throw new PickleException(
            "numpy scalar of dtype " + code + " in " + source + " is not supported");
    }
    if (value == null) {
      throw new PickleException(
          "numpy "
              + code
              + " scalar in "
              + source
              + " has "
              + b.length
              + " bytes, expected "
              + need);
    }
    return value;
  }
}

package dev.cdm.transforms.fid;

import dev.cdm.fid.FeatureMoments;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Coder for {@link FeatureMoments}: dimension, count, then the float64 sums as raw bytes. */
public final class FeatureMomentsCoder extends DataStreamCoder<FeatureMoments> {
  private static final FeatureMomentsCoder INSTANCE = new FeatureMomentsCoder();

  public static FeatureMomentsCoder of() {
    return INSTANCE;
  }

  @Override
  void write(FeatureMoments m, DataOutputStream d) throws IOException {
    d.writeInt(m.dim());
    d.writeLong(m.count());
    d.write(toBytes(m.sum()));
    d.write(toBytes(m.outer()));
  }

  @Override
  FeatureMoments read(DataInputStream d) throws IOException {
    int dim = d.readInt();
    long count = d.readLong();
    double[] sum = readDoubles(d, dim);
    double[] outer = readDoubles(d, Math.multiplyExact(dim, dim));
    return new FeatureMoments(dim, count, sum, outer);
  }

  private static byte[] toBytes(double[] v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    b.asDoubleBuffer().put(v);
    return b.array();
  }

  private static double[] readDoubles(DataInputStream d, int n) throws IOException {
    byte[] bytes = new byte[Math.multiplyExact(n, 8)];
    d.readFully(bytes);
    double[] v = new double[n];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(v);
    return v;
  }
}

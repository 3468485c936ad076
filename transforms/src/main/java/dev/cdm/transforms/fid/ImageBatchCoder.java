package dev.cdm.transforms.fid;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;

/** Compact coder for {@link ImageBatch}: six header numbers and the raw pixels. */
public final class ImageBatchCoder extends AtomicCoder<ImageBatch> {
  private static final ImageBatchCoder INSTANCE = new ImageBatchCoder();

  public static ImageBatchCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(ImageBatch b, OutputStream out) throws IOException {
    DataOutputStream d = new DataOutputStream(out);
    d.writeInt(b.group());
    d.writeLong(b.firstIndex());
    d.writeInt(b.count());
    d.writeInt(b.channels());
    d.writeInt(b.height());
    d.writeInt(b.width());
    d.write(b.pixels());
    d.flush();
  }

  @Override
  public ImageBatch decode(InputStream in) throws IOException {
    DataInputStream d = new DataInputStream(in);
    int group = d.readInt();
    long first = d.readLong();
    int n = d.readInt();
    int c = d.readInt();
    int h = d.readInt();
    int w = d.readInt();
    byte[] pixels = new byte[Math.multiplyExact(Math.multiplyExact(n, c), Math.multiplyExact(h, w))];
    d.readFully(pixels);
    return new ImageBatch(group, first, n, c, h, w, pixels);
  }

  @Override
  public void verifyDeterministic() {}
}

package dev.cdm.transforms.fid;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/** Compact coder for {@link ImageBatch}: six header numbers and the raw pixels. */
public final class ImageBatchCoder extends DataStreamCoder<ImageBatch> {
  private static final ImageBatchCoder INSTANCE = new ImageBatchCoder();

  public static ImageBatchCoder of() {
    return INSTANCE;
  }

  @Override
  void write(ImageBatch b, DataOutputStream d) throws IOException {
    d.writeInt(b.group());
    d.writeLong(b.firstIndex());
    d.writeInt(b.count());
    d.writeInt(b.channels());
    d.writeInt(b.height());
    d.writeInt(b.width());
    d.write(b.pixels());
  }

  @Override
  ImageBatch read(DataInputStream d) throws IOException {
    int group = d.readInt();
    long first = d.readLong();
    int n = d.readInt();
    int c = d.readInt();
    int h = d.readInt();
    int w = d.readInt();
    byte[] pixels =
        new byte[Math.multiplyExact(Math.multiplyExact(n, c), Math.multiplyExact(h, w))];
    d.readFully(pixels);
    return new ImageBatch(group, first, n, c, h, w, pixels);
  }
}

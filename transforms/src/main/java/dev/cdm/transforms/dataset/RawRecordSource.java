package dev.cdm.transforms.dataset;

import dev.cdm.model.data.Pixels;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Fixed-size uint8 image records in one or more raw files with labels beside them: MNIST IDX files
 * and CIFAR-10 batches after preparation. A worker seeks straight to its range.
 */
final class RawRecordSource implements PreparedSource {
  private static final long serialVersionUID = 1L;

  /** How a record's bytes become reference pixels. */
  enum Layout {
    /** MNIST: 28x28 grayscale, zero-padded by 2 on every side to 32x32 as the reference does. */
    MNIST_PADDED,
    /** CIFAR-10: 3x32x32 planes (CHW), transposed to HWC as the reference does. */
    CIFAR_CHW;

    int recordBytes() {
      return this == MNIST_PADDED ? 28 * 28 : 3 * 32 * 32;
    }
  }

  /** One raw file of records plus its labels file. */
  static final class Part implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    final String images;
    final long imagesOffset;
    final String labels;
    final long labelsOffset;
    final int labelBytes; // 1 (MNIST) or 4 (prepared CIFAR, big-endian)
    final long count;
    final String shownName; // what messages call the records of this part

    Part(
        String images,
        long imagesOffset,
        String labels,
        long labelsOffset,
        int labelBytes,
        long count,
        String shownName) {
      this.images = images;
      this.imagesOffset = imagesOffset;
      this.labels = labels;
      this.labelsOffset = labelsOffset;
      this.labelBytes = labelBytes;
      this.count = count;
      this.shownName = shownName;
    }
  }

  private final String description;
  private final Layout layout;
  private final List<Part> parts;
  private final long size;

  RawRecordSource(String description, Layout layout, List<Part> parts, long maxImages) {
    this.description = description;
    this.layout = layout;
    this.parts = List.copyOf(parts);
    long total = 0;
    for (Part p : parts) {
      total += p.count;
    }
    this.size = Math.min(total, maxImages);
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  public Reader open(long start, long end) throws IOException {
    return new Reader() {
      long next = start;
      int part = -1;
      long partStart = 0;
      long partEnd = 0;
      DataInputStream images;
      DataInputStream labels;
      final byte[] record = new byte[layout.recordBytes()];

      @Override
      public SourceItem next() throws IOException {
        if (next >= end) {
          return null;
        }
        long i = next++;
        while (i >= partEnd) {
          closeStreams();
          part++;
          partStart = partEnd;
          partEnd += parts.get(part).count;
          if (i < partEnd) {
            Part p = parts.get(part);
            long local = i - partStart;
            images = stream(p.images, p.imagesOffset + local * record.length);
            labels = stream(p.labels, p.labelsOffset + local * p.labelBytes);
          }
        }
        Part p = parts.get(part);
        long local = i - partStart;
        try {
          images.readFully(record);
        } catch (EOFException e) {
          throw new IOException(p.shownName + " ends before image " + local, e);
        }
        int label = p.labelBytes == 1 ? labels.readUnsignedByte() : labels.readInt();
        String shown = p.shownName + "[" + local + "]";
        return SourceItem.ofPixels(i, shown, Integer.toString(label), pixels(record));
      }

      private void closeStreams() throws IOException {
        if (images != null) {
          images.close();
          labels.close();
        }
      }

      @Override
      public void close() throws IOException {
        closeStreams();
      }
    };
  }

  private static DataInputStream stream(String file, long offset) throws IOException {
    FileChannel ch = FileChannel.open(Path.of(file), StandardOpenOption.READ);
    ch.position(offset);
    InputStream in = new BufferedInputStream(Channels.newInputStream(ch), 1 << 16);
    return new DataInputStream(in);
  }

  private Pixels pixels(byte[] r) {
    if (layout == Layout.MNIST_PADDED) {
      byte[] out = new byte[32 * 32];
      for (int y = 0; y < 28; y++) {
        System.arraycopy(r, y * 28, out, (y + 2) * 32 + 2, 28);
      }
      return new Pixels(32, 32, 1, out);
    }
    byte[] out = new byte[32 * 32 * 3];
    for (int c = 0; c < 3; c++) {
      for (int p = 0; p < 1024; p++) {
        out[p * 3 + c] = r[c * 1024 + p];
      }
    }
    return new Pixels(32, 32, 3, out);
  }
}

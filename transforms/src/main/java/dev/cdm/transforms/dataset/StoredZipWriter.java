package dev.cdm.transforms.dataset;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.zip.CRC32;

/**
 * A ZIP archive of stored (uncompressed) entries, like Python's {@code zipfile} with {@code
 * ZIP_STORED}, written with constant memory: the central directory is spilled to a side file as
 * entries are written and appended at the end (java.util.zip.ZipOutputStream keeps one object per
 * entry in memory, which grows with the dataset). ZIP64 records are added when the entry count or
 * offsets exceed the classic format's limits, as Python does.
 */
final class StoredZipWriter implements Closeable {
  private static final long MAX32 = 0xFFFFFFFFL;
  private static final int MAX16 = 0xFFFF;

  private final CountingStream out;
  private final Path centralFile;
  private final CountingStream central;
  private final CRC32 crc = new CRC32();
  private final int dosTime;
  private final int dosDate;
  private long entries;

  StoredZipWriter(Path file) throws IOException {
    this.out = new CountingStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 20));
    this.centralFile = file.resolveSibling(file.getFileName() + ".central");
    this.central =
        new CountingStream(new BufferedOutputStream(Files.newOutputStream(centralFile), 1 << 16));
    LocalDateTime now = LocalDateTime.now();
    this.dosTime = (now.getHour() << 11) | (now.getMinute() << 5) | (now.getSecond() / 2);
    this.dosDate =
        ((Math.max(1980, now.getYear()) - 1980) << 9)
            | (now.getMonthValue() << 5)
            | now.getDayOfMonth();
  }

  void write(String name, byte[] data) throws IOException {
    crc.reset();
    crc.update(data);
    long offset = localHeader(name, data.length, crc.getValue());
    out.write(data);
    centralHeader(name, data.length, crc.getValue(), offset);
  }

  void writeFile(String name, Path file) throws IOException {
    crc.reset();
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        crc.update(buf, 0, n);
      }
    }
    long size = Files.size(file);
    if (size > MAX32 - 1) {
      throw new IOException(file + " is too large for one stored ZIP entry");
    }
    long offset = localHeader(name, size, crc.getValue());
    Files.copy(file, out);
    centralHeader(name, size, crc.getValue(), offset);
  }

  private long localHeader(String name, long size, long crc32) throws IOException {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    boolean utf8 = n.length != name.length();
    long offset = out.count;
    DataOutputStream d = out.data;
    d.writeInt(Integer.reverseBytes(0x04034b50));
    le16(d, 20); // version needed: 2.0
    le16(d, utf8 ? 0x800 : 0);
    le16(d, 0); // stored
    entryFields(d, size, crc32, n.length);
    le16(d, 0);
    d.write(n);
    return offset;
  }

  private void centralHeader(String name, long size, long crc32, long offset) throws IOException {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    boolean utf8 = n.length != name.length();
    boolean zip64 = offset >= MAX32;
    DataOutputStream d = central.data;
    d.writeInt(Integer.reverseBytes(0x02014b50));
    le16(d, zip64 ? 45 : 20); // version made by
    le16(d, zip64 ? 45 : 20); // version needed
    le16(d, utf8 ? 0x800 : 0);
    le16(d, 0); // stored
    entryFields(d, size, crc32, n.length);
    le16(d, zip64 ? 12 : 0); // extra: the ZIP64 offset
    le16(d, 0); // comment
    le16(d, 0); // disk
    le16(d, 0); // internal attributes
    d.writeInt(Integer.reverseBytes(0x81A40000)); // external: a regular file, rw-r--r--
    d.writeInt(Integer.reverseBytes((int) (zip64 ? MAX32 : offset)));
    d.write(n);
    if (zip64) {
      le16(d, 0x0001);
      le16(d, 8);
      d.writeLong(Long.reverseBytes(offset));
    }
    entries++;
  }

  @Override
  public void close() throws IOException {
    central.close();
    long cdOffset = out.count;
    long cdSize = Files.size(centralFile);
    Files.copy(centralFile, out);
    Files.delete(centralFile);
    DataOutputStream d = out.data;
    boolean zip64 = entries >= MAX16 || cdOffset >= MAX32 || cdSize >= MAX32;
    if (zip64) {
      long eocd64 = out.count;
      d.writeInt(Integer.reverseBytes(0x06064b50));
      d.writeLong(Long.reverseBytes(44));
      le16(d, 45);
      le16(d, 45);
      d.writeInt(0);
      d.writeInt(0);
      d.writeLong(Long.reverseBytes(entries));
      d.writeLong(Long.reverseBytes(entries));
      d.writeLong(Long.reverseBytes(cdSize));
      d.writeLong(Long.reverseBytes(cdOffset));
      d.writeInt(Integer.reverseBytes(0x07064b50));
      d.writeInt(0);
      d.writeLong(Long.reverseBytes(eocd64));
      d.writeInt(Integer.reverseBytes(1));
    }
    d.writeInt(Integer.reverseBytes(0x06054b50));
    le16(d, 0);
    le16(d, 0);
    le16(d, (int) Math.min(entries, MAX16));
    le16(d, (int) Math.min(entries, MAX16));
    d.writeInt(Integer.reverseBytes((int) Math.min(cdSize, MAX32)));
    d.writeInt(Integer.reverseBytes((int) Math.min(cdOffset, MAX32)));
    le16(d, 0);
    out.close();
  }

  /**
   * The fields the local and the central header share, in their order: modification time and date,
   * CRC-32, compressed and uncompressed size (equal: stored), name length.
   */
  private void entryFields(DataOutputStream d, long size, long crc32, int nameLength)
      throws IOException {
    le16(d, dosTime);
    le16(d, dosDate);
    d.writeInt(Integer.reverseBytes((int) crc32));
    d.writeInt(Integer.reverseBytes((int) size));
    d.writeInt(Integer.reverseBytes((int) size));
    le16(d, nameLength);
  }

  private static void le16(DataOutputStream d, int v) throws IOException {
    d.writeShort(Short.reverseBytes((short) v));
  }

  /** An output stream that knows how many bytes went through it. */
  private static final class CountingStream extends OutputStream {
    private final OutputStream inner;
    final DataOutputStream data = new DataOutputStream(this);
    long count;

    CountingStream(OutputStream inner) {
      this.inner = inner;
    }

    @Override
    public void write(int b) throws IOException {
      inner.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      inner.write(b, off, len);
      count += len;
    }

    @Override
    public void flush() throws IOException {
      inner.flush();
    }

    @Override
    public void close() throws IOException {
      inner.close();
    }
  }
}

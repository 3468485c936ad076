package dev.cdm.model.data;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.Adler32;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;

/**
 * Image bytes to {@link Pixels} and back. Encoding writes what the reference writes with {@code
 * img.save(..., format='png', compress_level=0)}: an 8-bit grayscale or RGB PNG whose zlib stream
 * holds stored (uncompressed) blocks, so that training decodes it cheaply.
 */
public final class PngCodec {
  static {
    ImageIO.setUseCache(false); // decode in memory; the disk cache only slows small images down
  }

  private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  private static final int MAX_STORED_BLOCK = 65535;

  private PngCodec() {}

  /**
   * Decodes any format ImageIO reads (PNG, JPEG, BMP, GIF, TIFF) to the array PIL's {@code
   * np.array(Image.open(f))} gives: grayscale 1 channel, gray+alpha 2, RGB 3, RGBA 4; palette
   * images give their palette indices, as numpy does for mode 'P'.
   *
   * @param name the input's name, for error messages
   * @throws BadImageException when the bytes are not a readable image
   */
  public static Pixels decode(byte[] bytes, String name) throws BadImageException {
    if (PngDecoder.isPng(bytes)) {
      Pixels fast = PngDecoder.decode(bytes, name);
      if (fast != null) {
        return fast;
      }
    }
    BufferedImage img;
    try {
      img = ImageIO.read(new ByteArrayInputStream(bytes));
    } catch (IOException | RuntimeException e) {
      throw new BadImageException(name, "cannot decode image: " + e, e);
    }
    if (img == null) {
      throw new BadImageException(name, "not an image format this reader knows");
    }
    Raster raster = img.getRaster();
    ColorModel cm = img.getColorModel();
    int w = raster.getWidth();
    int h = raster.getHeight();
    int bands = raster.getNumBands();
    int bits = raster.getSampleModel().getSampleSize(0);
    if (bands < 1 || bands > 4) {
      throw new BadImageException(name, "unsupported number of channels: " + bands);
    }
    boolean indexed = cm instanceof IndexColorModel;
    if (bits > 8 || (bits == 1 && !indexed)) {
      // PIL gives 16-bit ('I;16') and 1-bit ('1') images numpy dtypes the tool does not handle.
      throw new BadImageException(name, "unsupported sample depth: " + bits + " bits (need 8-bit)");
    }
    if (bits == 8) {
      Pixels fast = interleavedBytes(raster, w, h, bands);
      if (fast != null) {
        return fast;
      }
    }
    int[] samples = raster.getPixels(0, 0, w, h, (int[]) null);
    byte[] data = new byte[samples.length];
    // PIL expands 2- and 4-bit grayscale to 0..255 ('L;2', 'L;4'); palette indices stay as they
    // are.
    int scale = (bits < 8 && !indexed) ? 255 / ((1 << bits) - 1) : 1;
    for (int i = 0; i < samples.length; i++) {
      data[i] = (byte) (samples[i] * scale);
    }
    return new Pixels(w, h, bands, data);
  }

  /**
   * The pixels of {@code png} (decoded as {@link #decode}), with its height, width and channels
   * written to {@code hwcOut}.
   */
  public static byte[] decode(byte[] png, int[] hwcOut) throws BadImageException {
    Pixels p = decode(png, "PNG");
    hwcOut[0] = p.height();
    hwcOut[1] = p.width();
    hwcOut[2] = p.channels();
    return p.data();
  }

  /**
   * Whether {@code png} is a whole image: it ends with the IEND chunk and decodes. A file cut short
   * by a killed writer fails one or the other.
   */
  public static boolean isComplete(byte[] png) {
    int n = png.length;
    if (n < 12
        || png[n - 8] != 'I'
        || png[n - 7] != 'E'
        || png[n - 6] != 'N'
        || png[n - 5] != 'D') {
      return false;
    }
    try {
      decode(png, "PNG");
      return true;
    } catch (BadImageException | RuntimeException e) {
      return false;
    }
  }

  /**
   * Decodes to three channels, RGB, as OpenCV's {@code cv2.imdecode(buf, cv2.IMREAD_COLOR)}
   * followed by the BGR to RGB flip ({@code dataset_tool}'s LSUN reader): grayscale is repeated,
   * alpha is dropped (not composited), palette images give their colours.
   */
  public static Pixels decodeColor(byte[] bytes, String name) throws BadImageException {
    boolean palettePng = PngDecoder.isPng(bytes) && bytes.length > 25 && bytes[25] == 3;
    if (palettePng || !PngDecoder.isPng(bytes)) {
      BufferedImage img;
      try {
        img = ImageIO.read(new ByteArrayInputStream(bytes));
      } catch (IOException | RuntimeException e) {
        throw new BadImageException(name, "cannot decode image: " + e, e);
      }
      if (img != null && img.getColorModel() instanceof IndexColorModel) {
        int w = img.getWidth();
        int h = img.getHeight();
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        byte[] out = new byte[w * h * 3];
        for (int i = 0; i < argb.length; i++) {
          out[3 * i] = (byte) (argb[i] >> 16);
          out[3 * i + 1] = (byte) (argb[i] >> 8);
          out[3 * i + 2] = (byte) argb[i];
        }
        return new Pixels(w, h, 3, out);
      }
    }
    Pixels p = decode(bytes, name);
    if (p.channels() == 3) {
      return p;
    }
    int w = p.width();
    int h = p.height();
    int ch = p.channels();
    byte[] src = p.data();
    byte[] out = new byte[w * h * 3];
    for (int i = 0; i < w * h; i++) {
      if (ch <= 2) { // gray, gray+alpha
        byte v = src[i * ch];
        out[3 * i] = v;
        out[3 * i + 1] = v;
        out[3 * i + 2] = v;
      } else { // RGBA
        System.arraycopy(src, i * 4, out, 3 * i, 3);
      }
    }
    return new Pixels(w, h, 3, out);
  }

  /**
   * The common case (8-bit samples interleaved in one byte array, as ImageIO decodes PNG and JPEG)
   * copied row by row instead of sample by sample; null when the layout is another one.
   */
  private static Pixels interleavedBytes(Raster raster, int w, int h, int bands) {
    if (!(raster.getSampleModel() instanceof PixelInterleavedSampleModel)
        || !(raster.getDataBuffer() instanceof DataBufferByte)
        || raster.getDataBuffer().getNumBanks() != 1) {
      return null;
    }
    PixelInterleavedSampleModel sm = (PixelInterleavedSampleModel) raster.getSampleModel();
    if (sm.getPixelStride() != bands) {
      return null;
    }
    int[] offsets = sm.getBandOffsets();
    boolean inOrder = true;
    for (int b = 0; b < bands; b++) {
      inOrder &= offsets[b] == b;
    }
    byte[] src = ((DataBufferByte) raster.getDataBuffer()).getData();
    int stride = sm.getScanlineStride();
    int base =
        raster.getDataBuffer().getOffset()
            - raster.getSampleModelTranslateY() * stride
            - raster.getSampleModelTranslateX() * bands;
    int rowBytes = w * bands;
    byte[] out = new byte[rowBytes * h];
    for (int y = 0; y < h; y++) {
      int s = base + y * stride;
      if (inOrder) {
        System.arraycopy(src, s, out, y * rowBytes, rowBytes);
      } else {
        for (int x = 0, d = y * rowBytes; x < w; x++, s += bands) {
          for (int b = 0; b < bands; b++) {
            out[d++] = src[s + offsets[b]];
          }
        }
      }
    }
    return new Pixels(w, h, bands, out);
  }

  /**
   * Encodes 1-channel (PNG gray) or 3-channel (PNG RGB) pixels as a deflate-compressed PNG, as
   * {@code generate.py} saves images through PIL (default compression level 6). Same pixels as
   * {@link #encode}, smaller files.
   */
  public static byte[] encodeCompressed(Pixels img) {
    int ch = img.channels();
    if (ch != 1 && ch != 3) {
      throw new IllegalArgumentException("PNG output needs 1 or 3 channels, got " + ch);
    }
    int rowBytes = img.width() * ch;
    byte[] raw = new byte[(rowBytes + 1) * img.height()]; // filter byte 0 (none) before each row
    for (int y = 0; y < img.height(); y++) {
      System.arraycopy(img.data(), y * rowBytes, raw, y * (rowBytes + 1) + 1, rowBytes);
    }
    java.util.zip.Deflater deflater = new java.util.zip.Deflater(6);
    java.io.ByteArrayOutputStream zlib = new java.io.ByteArrayOutputStream(raw.length / 2 + 64);
    try {
      deflater.setInput(raw);
      deflater.finish();
      byte[] buf = new byte[1 << 16];
      while (!deflater.finished()) {
        zlib.write(buf, 0, deflater.deflate(buf));
      }
    } finally {
      deflater.end();
    }
    byte[] idat = zlib.toByteArray();
    ByteBuffer out = ByteBuffer.allocate(SIGNATURE.length + (12 + 13) + (12 + idat.length) + 12);
    out.put(SIGNATURE);
    writeHeader(out, img.width(), img.height(), ch);
    int start = beginChunk(out, "IDAT", idat.length);
    out.put(idat);
    endChunk(out, start);
    start = beginChunk(out, "IEND", 0);
    endChunk(out, start);
    return out.array();
  }

  private static void writeHeader(ByteBuffer out, int w, int h, int ch) {
    int start = beginChunk(out, "IHDR", 13);
    out.putInt(w).putInt(h).put((byte) 8).put((byte) (ch == 1 ? 0 : 2));
    out.put((byte) 0).put((byte) 0).put((byte) 0); // deflate, adaptive filtering, no interlace
    endChunk(out, start);
  }

  /** Encodes 1-channel (PNG gray) or 3-channel (PNG RGB) pixels as an uncompressed PNG. */
  public static byte[] encode(Pixels img) {
    int ch = img.channels();
    if (ch != 1 && ch != 3) {
      throw new IllegalArgumentException("PNG output needs 1 or 3 channels, got " + ch);
    }
    int w = img.width();
    int h = img.height();
    int rowBytes = w * ch;
    long rawLen = (long) (rowBytes + 1) * h; // a filter byte (0 = none) before each row
    long blocks = Math.max(1, (rawLen + MAX_STORED_BLOCK - 1) / MAX_STORED_BLOCK);
    long zlibLen = 2 + rawLen + 5 * blocks + 4;
    long total = SIGNATURE.length + (12 + 13) + (12 + zlibLen) + 12;
    if (total > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("Image too large for one PNG: " + img);
    }
    ByteBuffer out = ByteBuffer.allocate((int) total);
    out.put(SIGNATURE);
    writeHeader(out, w, h, ch);

    int start = beginChunk(out, "IDAT", (int) zlibLen);
    out.put((byte) 0x78).put((byte) 0x01); // zlib header: deflate, 32K window, no preset dictionary
    byte[] src = img.data();
    Adler32 adler = new Adler32();
    // Stream the rows (each with its filter byte) through stored blocks of at most 65535 bytes.
    long remaining = rawLen;
    int row = 0;
    int inRow = -1; // -1: the filter byte of `row` is next
    while (remaining > 0) {
      int len = (int) Math.min(MAX_STORED_BLOCK, remaining);
      remaining -= len;
      out.put((byte) (remaining == 0 ? 1 : 0));
      out.put((byte) len).put((byte) (len >>> 8));
      out.put((byte) ~len).put((byte) (~len >>> 8));
      int blockStart = out.position();
      int left = len;
      while (left > 0) {
        if (inRow < 0) {
          out.put((byte) 0);
          inRow = 0;
          left--;
          continue;
        }
        int n = Math.min(left, rowBytes - inRow);
        out.put(src, row * rowBytes + inRow, n);
        inRow += n;
        left -= n;
        if (inRow == rowBytes) {
          row++;
          inRow = -1;
        }
      }
      adler.update(out.array(), blockStart, len);
    }
    out.putInt((int) adler.getValue());
    endChunk(out, start);

    start = beginChunk(out, "IEND", 0);
    endChunk(out, start);
    return out.array();
  }

  private static int beginChunk(ByteBuffer out, String type, int length) {
    out.putInt(length);
    int start = out.position();
    for (int i = 0; i < 4; i++) {
      out.put((byte) type.charAt(i));
    }
    return start;
  }

  private static void endChunk(ByteBuffer out, int start) {
    CRC32 crc = new CRC32();
    crc.update(out.array(), start, out.position() - start);
    out.putInt((int) crc.getValue());
  }
}

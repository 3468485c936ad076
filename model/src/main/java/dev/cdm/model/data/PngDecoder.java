package dev.cdm.model.data;

import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A fast decoder for the PNGs datasets are made of (8-bit, non-interlaced gray, gray+alpha, RGB,
 * RGBA or palette): native zlib inflate and row unfiltering straight into the HWC byte layout,
 * about twice as fast as ImageIO's general reader. Other PNGs return null and go to ImageIO.
 */
final class PngDecoder {
  private static final long SIGNATURE = 0x89504E470D0A1A0AL;

  private PngDecoder() {}

  /** Per-thread inflater and inflate buffer: an image's filtered rows are scratch, not output. */
  private static final class Scratch {
    final Inflater inflater = new Inflater();
    byte[] raw = new byte[0];
  }

  private static final int MAX_CACHED_RAW = 16 << 20;

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  static boolean isPng(byte[] b) {
    if (b.length < 8) {
      return false;
    }
    long sig = 0;
    for (int i = 0; i < 8; i++) {
      sig = (sig << 8) | (b[i] & 0xff);
    }
    return sig == SIGNATURE;
  }

  /** Decodes {@code b}; null when its format needs the general reader; errors name the input. */
  static Pixels decode(byte[] b, String name) throws BadImageException {
    int pos = 8;
    int w = 0;
    int h = 0;
    int channels = 0;
    Scratch scratch = SCRATCH.get();
    Inflater inflater = null;
    byte[] raw = null;
    int rawLength = 0;
    int produced = 0;
    try {
      while (true) {
        if (pos + 8 > b.length) {
          throw new BadImageException(name, "truncated PNG (no IEND chunk)");
        }
        int len = readInt(b, pos);
        int type = readInt(b, pos + 4);
        int data = pos + 8;
        if (len < 0 || data + len + 4 > b.length) {
          throw new BadImageException(name, "truncated PNG chunk");
        }
        if (type == 0x49484452) { // IHDR
          w = readInt(b, data);
          h = readInt(b, data + 4);
          int depth = b[data + 8] & 0xff;
          int color = b[data + 9] & 0xff;
          int interlace = b[data + 12] & 0xff;
          channels =
              color == 0 || color == 3 ? 1 : color == 4 ? 2 : color == 2 ? 3 : color == 6 ? 4 : -1;
          if (depth != 8
              || interlace != 0
              || channels < 0
              || w <= 0
              || h <= 0
              || (long) w * h * channels > Integer.MAX_VALUE / 2) {
            return null;
          }
          rawLength = (w * channels + 1) * h;
          if (rawLength > MAX_CACHED_RAW) {
            raw = new byte[rawLength]; // a rare huge image: do not pin its buffer to the thread
          } else {
            if (scratch.raw.length < rawLength) {
              scratch.raw = new byte[rawLength];
            }
            raw = scratch.raw;
          }
          inflater = scratch.inflater;
          inflater.reset();
        } else if (type == 0x49444154) { // IDAT
          if (inflater == null) {
            throw new BadImageException(name, "PNG data before its header");
          }
          inflater.setInput(b, data, len);
          while (produced < rawLength && !inflater.needsInput() && !inflater.finished()) {
            int n = inflater.inflate(raw, produced, rawLength - produced);
            produced += n;
            if (n == 0 && inflater.needsDictionary()) {
              throw new BadImageException(name, "PNG data needs a preset dictionary");
            }
          }
        } else if (type == 0x49454E44) { // IEND
          break;
        }
        pos = data + len + 4; // skip the CRC
      }
      if (raw == null) {
        throw new BadImageException(name, "PNG without a header");
      }
      if (produced < rawLength) {
        throw new BadImageException(
            name, "truncated PNG image data (" + produced + " of " + rawLength + " bytes)");
      }
    } catch (DataFormatException e) {
      throw new BadImageException(name, "corrupt PNG image data: " + e.getMessage(), e);
    }
    return new Pixels(w, h, channels, unfilter(raw, w, h, channels, name));
  }

  private static byte[] unfilter(byte[] raw, int w, int h, int bpp, String name)
      throws BadImageException {
    int rowBytes = w * bpp;
    byte[] out = new byte[rowBytes * h];
    for (int y = 0; y < h; y++) {
      int f = raw[y * (rowBytes + 1)];
      int src = y * (rowBytes + 1) + 1;
      int dst = y * rowBytes;
      int up = dst - rowBytes; // previous output row (absent for y == 0)
      switch (f) {
        case 0:
          System.arraycopy(raw, src, out, dst, rowBytes);
          break;
        case 1:
          for (int i = 0; i < rowBytes; i++) {
            int left = i >= bpp ? out[dst + i - bpp] : 0;
            out[dst + i] = (byte) (raw[src + i] + left);
          }
          break;
        case 2:
          if (y == 0) {
            System.arraycopy(raw, src, out, dst, rowBytes);
          } else {
            for (int i = 0; i < rowBytes; i++) {
              out[dst + i] = (byte) (raw[src + i] + out[up + i]);
            }
          }
          break;
        case 3:
          for (int i = 0; i < rowBytes; i++) {
            int left = i >= bpp ? out[dst + i - bpp] & 0xff : 0;
            int above = y > 0 ? out[up + i] & 0xff : 0;
            out[dst + i] = (byte) (raw[src + i] + ((left + above) >>> 1));
          }
          break;
        case 4:
          for (int i = 0; i < rowBytes; i++) {
            int a = i >= bpp ? out[dst + i - bpp] & 0xff : 0;
            int bb = y > 0 ? out[up + i] & 0xff : 0;
            int c = i >= bpp && y > 0 ? out[up + i - bpp] & 0xff : 0;
            int p = a + bb - c;
            int pa = Math.abs(p - a);
            int pb = Math.abs(p - bb);
            int pc = Math.abs(p - c);
            int pred = pa <= pb && pa <= pc ? a : pb <= pc ? bb : c;
            out[dst + i] = (byte) (raw[src + i] + pred);
          }
          break;
        default:
          throw new BadImageException(
              name, "corrupt PNG: unknown row filter " + f + " in row " + y);
      }
    }
    return out;
  }

  private static int readInt(byte[] b, int p) {
    return ((b[p] & 0xff) << 24)
        | ((b[p + 1] & 0xff) << 16)
        | ((b[p + 2] & 0xff) << 8)
        | (b[p + 3] & 0xff);
  }
}

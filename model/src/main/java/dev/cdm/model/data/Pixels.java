package dev.cdm.model.data;

import java.util.Objects;

/**
 * An 8-bit image as the reference holds it after {@code np.array(PIL.Image.open(...))}: rows of
 * pixels, channels interleaved (HWC). One channel is grayscale ('L'), three are RGB.
 */
public final class Pixels {
  private final int width;
  private final int height;
  private final int channels;
  private final byte[] data;

  public Pixels(int width, int height, int channels, byte[] data) {
    if (width <= 0 || height <= 0 || channels <= 0) {
      throw new IllegalArgumentException(
          "Image size must be positive, got " + width + "x" + height + "x" + channels);
    }
    if ((long) width * height * channels != data.length) {
      throw new IllegalArgumentException(
          "Pixel buffer holds "
              + data.length
              + " bytes, expected "
              + width
              + "x"
              + height
              + "x"
              + channels);
    }
    this.width = width;
    this.height = height;
    this.channels = channels;
    this.data = data;
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  public int channels() {
    return channels;
  }

  /** The HWC bytes themselves (not a copy: images are passed along, not shared). */
  public byte[] data() {
    return data;
  }

  /**
   * The samples laid out CHW, as the reference's {@code image.transpose(2, 0, 1)} (the data itself
   * for one channel).
   */
  public byte[] chw() {
    if (channels == 1) {
      return data;
    }
    int plane = width * height;
    byte[] out = new byte[data.length];
    for (int p = 0, s = 0; p < plane; p++) {
      for (int c = 0; c < channels; c++) {
        out[c * plane + p] = data[s++];
      }
    }
    return out;
  }

  /** Unsigned sample at row y, column x, channel c. */
  public int get(int x, int y, int c) {
    return data[(y * width + x) * channels + c] & 0xff;
  }

  /** Rows [y0, y0+h) and columns [x0, x0+w), as numpy slicing {@code img[y0:y0+h, x0:x0+w]}. */
  public Pixels crop(int x0, int y0, int w, int h) {
    if (x0 == 0 && y0 == 0 && w == width && h == height) {
      return this;
    }
    byte[] out = new byte[w * h * channels];
    int rowBytes = w * channels;
    for (int y = 0; y < h; y++) {
      System.arraycopy(data, ((y0 + y) * width + x0) * channels, out, y * rowBytes, rowBytes);
    }
    return new Pixels(w, h, channels, out);
  }

  /**
   * Grayscale repeated into three equal channels, as {@code img[:, :, np.newaxis].repeat(3,
   * axis=2)}.
   */
  public Pixels grayToRgb() {
    if (channels != 1) {
      throw new IllegalStateException("grayToRgb needs one channel, got " + channels);
    }
    byte[] out = new byte[data.length * 3];
    for (int i = 0, j = 0; i < data.length; i++, j += 3) {
      byte v = data[i];
      out[j] = v;
      out[j + 1] = v;
      out[j + 2] = v;
    }
    return new Pixels(width, height, 3, out);
  }

  @Override
  public String toString() {
    return "Pixels[" + width + "x" + height + "x" + channels + "]";
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Pixels)) {
      return false;
    }
    Pixels p = (Pixels) o;
    return width == p.width
        && height == p.height
        && channels == p.channels
        && java.util.Arrays.equals(data, p.data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(width, height, channels, java.util.Arrays.hashCode(data));
  }
}

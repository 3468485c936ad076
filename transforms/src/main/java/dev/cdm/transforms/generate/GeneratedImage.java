package dev.cdm.transforms.generate;

import java.io.Serializable;
import java.util.Arrays;
import org.apache.beam.sdk.coders.DefaultCoder;
import org.apache.beam.sdk.coders.SerializableCoder;

/** One generated image: its seed and 8-bit pixels in [H, W, C] order (as PIL receives them). */
@DefaultCoder(SerializableCoder.class)
public final class GeneratedImage implements Serializable {
  private static final long serialVersionUID = 1L;

  private final long seed;
  private final int height;
  private final int width;
  private final int channels;
  private final byte[] pixels;

  public GeneratedImage(long seed, int height, int width, int channels, byte[] pixels) {
    if (pixels.length != height * width * channels) {
      throw new IllegalArgumentException(
          "seed " + seed + ": " + pixels.length + " bytes for a " + height + "x" + width + "x"
              + channels + " image");
    }
    this.seed = seed;
    this.height = height;
    this.width = width;
    this.channels = channels;
    this.pixels = pixels;
  }

  public long seed() {
    return seed;
  }

  public int height() {
    return height;
  }

  public int width() {
    return width;
  }

  public int channels() {
    return channels;
  }

  /** The pixels, [H, W, C] row-major, unsigned bytes. */
  public byte[] pixels() {
    return pixels.clone();
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof GeneratedImage)) {
      return false;
    }
    GeneratedImage g = (GeneratedImage) o;
    return seed == g.seed && height == g.height && width == g.width && channels == g.channels
        && Arrays.equals(pixels, g.pixels);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(seed) * 31 + Arrays.hashCode(pixels);
  }
}

package dev.cdm.transforms.generate;

import java.io.Serializable;
import java.util.Arrays;
import org.apache.beam.sdk.coders.DefaultCoder;
import org.apache.beam.sdk.coders.SerializableCoder;

/**
 * One generated image: its seed, the class it was generated for (-1 for an unconditional network;
 * for a conditional one the seed's drawn label or the forced {@code --class}) and 8-bit pixels in
 * [H, W, C] order (as PIL receives them).
 */
@DefaultCoder(SerializableCoder.class)
public final class GeneratedImage implements Serializable {
  private static final long serialVersionUID = 2L;

  private final long seed;
  private final int label;
  private final int height;
  private final int width;
  private final int channels;
  private final byte[] pixels;

  /** An image without a class (an unconditional network's). */
  public GeneratedImage(long seed, int height, int width, int channels, byte[] pixels) {
    this(seed, -1, height, width, channels, pixels);
  }

  public GeneratedImage(long seed, int label, int height, int width, int channels, byte[] pixels) {
    if (pixels.length != height * width * channels) {
      throw new IllegalArgumentException(
          "seed "
              + seed
              + ": "
              + pixels.length
              + " bytes for a "
              + height
              + "x"
              + width
              + "x"
              + channels
              + " image");
    }
    this.seed = seed;
    this.label = label;
    this.height = height;
    this.width = width;
    this.channels = channels;
    this.pixels = pixels;
  }

  public long seed() {
    return seed;
  }

  /** The class the image was generated for, or -1 (unconditional network). */
  public int label() {
    return label;
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
    return seed == g.seed
        && label == g.label
        && height == g.height
        && width == g.width
        && channels == g.channels
        && Arrays.equals(pixels, g.pixels);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(seed) * 31 + Arrays.hashCode(pixels);
  }
}

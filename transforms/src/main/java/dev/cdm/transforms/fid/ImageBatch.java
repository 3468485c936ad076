package dev.cdm.transforms.fid;

import java.io.Serializable;
import java.util.Objects;

/**
 * A batch of same-shaped uint8 images, NCHW, as decoded from a dataset or quantised from a sampler;
 * {@code group} says which statistics they count towards (the repeat index of {@code cdm fid
 * --repeats}, 0 otherwise), {@code firstIndex} where the batch starts (for error messages).
 */
public final class ImageBatch implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int group;
  private final long firstIndex;
  private final int count;
  private final int channels;
  private final int height;
  private final int width;
  private final byte[] pixels;

  public ImageBatch(
      int group, long firstIndex, int count, int channels, int height, int width, byte[] pixels) {
    if ((long) count * channels * height * width != pixels.length) {
      throw new IllegalArgumentException(
          pixels.length + " bytes are not " + count + "x" + channels + "x" + height + "x" + width);
    }
    this.group = group;
    this.firstIndex = firstIndex;
    this.count = count;
    this.channels = channels;
    this.height = height;
    this.width = width;
    this.pixels = pixels;
  }

  public int group() {
    return group;
  }

  public long firstIndex() {
    return firstIndex;
  }

  public int count() {
    return count;
  }

  public int channels() {
    return channels;
  }

  public int height() {
    return height;
  }

  public int width() {
    return width;
  }

  /** The pixels, NCHW (not a copy). */
  public byte[] pixels() {
    return pixels;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ImageBatch)) {
      return false;
    }
    ImageBatch b = (ImageBatch) o;
    return group == b.group
        && firstIndex == b.firstIndex
        && count == b.count
        && channels == b.channels
        && height == b.height
        && width == b.width
        && java.util.Arrays.equals(pixels, b.pixels);
  }

  @Override
  public int hashCode() {
    return Objects.hash(group, firstIndex, count, channels, height, width);
  }
}

package dev.cdm.transforms.dataset;

import dev.cdm.model.data.Pixels;
import java.io.Serializable;

/** The attributes the reference requires equal across a dataset: width, height, channels. */
public final class ImageAttrs implements Serializable {
  private static final long serialVersionUID = 1L;
  public final int width;
  public final int height;
  public final int channels;

  public ImageAttrs(int width, int height, int channels) {
    this.width = width;
    this.height = height;
    this.channels = channels;
  }

  static ImageAttrs of(Pixels p) {
    return new ImageAttrs(p.width(), p.height(), p.channels());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ImageAttrs
        && ((ImageAttrs) o).width == width
        && ((ImageAttrs) o).height == height
        && ((ImageAttrs) o).channels == channels;
  }

  @Override
  public int hashCode() {
    return (width * 31 + height) * 31 + channels;
  }

  @Override
  public String toString() {
    return width + "x" + height + "x" + channels;
  }
}

package dev.cdm.transforms.dataset;

import dev.cdm.model.data.Pixels;
import java.io.Serializable;

/**
 * The reference {@code dataset_tool.make_transform}: the crop/resize applied to every input image.
 * {@link #apply} returns null where the reference's transform returns None (center-crop-wide on an
 * image too small), which skips that image but keeps its index.
 */
public final class ImageTransform implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The {@code --transform} modes; {@code SCALE} is the reference's default (no flag). */
  public enum Mode {
    SCALE("scale"),
    CENTER_CROP("center-crop"),
    CENTER_CROP_WIDE("center-crop-wide");

    private final String flag;

    Mode(String flag) {
      this.flag = flag;
    }

    public String flag() {
      return flag;
    }

    /** Parses a {@code --transform} value; the error names the flag and the accepted values. */
    public static Mode ofFlag(String value) {
      for (Mode m : values()) {
        if (m != SCALE && m.flag.equals(value)) {
          return m;
        }
      }
      throw new IllegalArgumentException(
          "--transform=" + value + " is not one of: center-crop, center-crop-wide");
    }
  }

  private final Mode mode;
  private final Integer width; // null: keep the input size (SCALE only)
  private final Integer height;

  private ImageTransform(Mode mode, Integer width, Integer height) {
    this.mode = mode;
    this.width = width;
    this.height = height;
  }

  /**
   * Builds the transform; width/height null when {@code --resolution} is absent. Crops need a
   * resolution, as in the reference; center-crop-wide also needs height <= width (its canvas is
   * width x width).
   */
  public static ImageTransform of(Mode mode, Integer width, Integer height) {
    if ((width == null) != (height == null)) {
      throw new IllegalArgumentException("--resolution needs both width and height");
    }
    if (width != null && (width <= 0 || height <= 0)) {
      throw new IllegalArgumentException(
          "--resolution=" + width + "x" + height + " must be positive");
    }
    if (mode != Mode.SCALE && width == null) {
      throw new IllegalArgumentException(
          "must specify --resolution=WxH when using --transform=" + mode.flag());
    }
    if (mode == Mode.CENTER_CROP_WIDE && height > width) {
      throw new IllegalArgumentException(
          "--transform=center-crop-wide needs --resolution height <= width, got "
              + width
              + "x"
              + height);
    }
    return new ImageTransform(mode, width, height);
  }

  public Mode mode() {
    return mode;
  }

  /**
   * Applies the transform. Inputs have 1 (grayscale) or 3 (RGB) channels, or 2/4 when the file
   * carries alpha; the crops, like the reference's {@code fromarray(img, 'RGB')}, only take 1 or 3.
   *
   * @param name the input's name, for error messages
   */
  public Pixels apply(Pixels img, String name) {
    switch (mode) {
      case SCALE:
        return scale(img);
      case CENTER_CROP:
        return centerCrop(img, name);
      case CENTER_CROP_WIDE:
        return centerCropWide(img, name);
      default:
        throw new AssertionError(mode);
    }
  }

  private Pixels scale(Pixels img) {
    if (width == null) {
      return img; // PIL resize to the same size is a copy
    }
    if (img.channels() == 2 || img.channels() == 4) {
      // PIL premultiplies alpha here; such images fail the later 1-or-3-channel check anyway,
      // so only their shape matters.
      return new Pixels(width, height, img.channels(), new byte[width * height * img.channels()]);
    }
    return LanczosResampler.resize(img, width, height);
  }

  private Pixels centerCrop(Pixels img, String name) {
    int crop = Math.min(img.width(), img.height());
    // numpy slicing [(h - crop) // 2 : (h + crop) // 2]; both bounds have the same parity.
    Pixels cropped =
        img.crop(
            Math.floorDiv(img.width() - crop, 2),
            Math.floorDiv(img.height() - crop, 2),
            crop,
            crop);
    return LanczosResampler.resize(toRgb(cropped, name), width, height);
  }

  private Pixels centerCropWide(Pixels img, String name) {
    // np.round rounds half to even, as Math.rint does.
    int ch = (int) Math.rint((double) width * img.height() / img.width());
    if (img.width() < width || ch < height) {
      return null;
    }
    Pixels band = img.crop(0, Math.floorDiv(img.height() - ch, 2), img.width(), ch);
    Pixels resized = LanczosResampler.resize(toRgb(band, name), width, height);
    byte[] canvas = new byte[width * width * 3];
    int top = Math.floorDiv(width - height, 2);
    System.arraycopy(resized.data(), 0, canvas, top * width * 3, resized.data().length);
    return new Pixels(width, width, 3, canvas);
  }

  private static Pixels toRgb(Pixels img, String name) {
    if (img.channels() == 1) {
      return img.grayToRgb();
    }
    if (img.channels() == 3) {
      return img;
    }
    throw new IllegalArgumentException(
        name
            + ": input images must be stored as RGB or grayscale for a center crop, got "
            + img.channels()
            + " channels");
  }

  @Override
  public String toString() {
    return mode.flag() + (width == null ? "" : " " + width + "x" + height);
  }
}

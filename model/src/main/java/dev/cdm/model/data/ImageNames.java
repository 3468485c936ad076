package dev.cdm.model.data;

import java.util.Comparator;
import java.util.Locale;
import java.util.Set;

/** Which file names count as images, and in which order, as the reference's Python lists them. */
public final class ImageNames {
  private ImageNames() {}

  /** PIL.Image.EXTENSION after PIL.Image.init() (Pillow 9/10). */
  public static final Set<String> PIL_EXTENSIONS =
      Set.of(
          ".apng", ".blp", ".bmp", ".bufr", ".bw", ".cur", ".dcx", ".dds", ".dib", ".emf", ".eps",
          ".fit", ".fits", ".flc", ".fli", ".fpx", ".ftc", ".ftu", ".gbr", ".gif", ".grib", ".h5",
          ".hdf", ".icb", ".icns", ".ico", ".iim", ".im", ".j2c", ".j2k", ".jfif", ".jp2", ".jpc",
          ".jpe", ".jpeg", ".jpf", ".jpg", ".jpx", ".mic", ".mpeg", ".mpg", ".mpo", ".msp", ".palm",
          ".pbm", ".pcd", ".pcx", ".pdf", ".pgm", ".png", ".pnm", ".ppm", ".ps", ".psd", ".pxr",
          ".ras", ".rgb", ".rgba", ".sgi", ".tga", ".tif", ".tiff", ".vda", ".vst", ".webp", ".wmf",
          ".xbm", ".xpm");

  /** Python's str ordering: by code point (String.compareTo differs above U+FFFF). */
  public static final Comparator<String> PYTHON_ORDER =
      (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
          int ca = a.codePointAt(i);
          int cb = b.codePointAt(j);
          if (ca != cb) {
            return Integer.compare(ca, cb);
          }
          i += Character.charCount(ca);
          j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
      };

  /**
   * {@code dataset_tool}'s {@code is_image_ext}: the text after the last '.' (the whole name when
   * there is none), lower-cased, is a PIL extension.
   */
  public static boolean isImageForTool(String name) {
    String ext = name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
    return PIL_EXTENSIONS.contains("." + ext);
  }

  /**
   * The training dataset's test: {@code os.path.splitext(name)[1].lower()} is a PIL extension (so a
   * bare {@code .png}, a hidden file with no extension, is not an image).
   */
  public static boolean isImageForDataset(String name) {
    String base = name.substring(name.lastIndexOf('/') + 1);
    int dot = base.lastIndexOf('.');
    int lead = 0;
    while (lead < base.length() && base.charAt(lead) == '.') {
      lead++;
    }
    if (dot < lead) {
      return false;
    }
    return PIL_EXTENSIONS.contains(base.substring(dot).toLowerCase(Locale.ROOT));
  }
}

package dev.cdm.transforms.generate;

import java.util.Locale;

/**
 * Where {@code generate.py} puts the image of a seed: {@code {seed:06d}.png}, inside {@code {seed -
 * seed % 1000:06d}/} with {@code --subdirs}. Naming by seed makes writes idempotent: a retried
 * bundle overwrites its own files.
 */
public final class ImagePaths {
  private ImagePaths() {}

  /** The path relative to the output directory, with '/' separators. */
  public static String relative(long seed, boolean subdirs) {
    String name = String.format(Locale.ROOT, "%06d.png", seed);
    if (!subdirs) {
      return name;
    }
    // Python's % is a floored modulo.
    return String.format(Locale.ROOT, "%06d/", seed - Math.floorMod(seed, 1000L)) + name;
  }

  /** {@code outdir} joined with {@link #relative}. */
  public static String of(String outdir, long seed, boolean subdirs) {
    return (outdir.endsWith("/") ? outdir : outdir + "/") + relative(seed, subdirs);
  }
}

package dev.cdm.transforms.evaluate;

import java.io.Serializable;
import java.util.Locale;

/**
 * The scores of one repeat of one snapshot: FID against the reference statistics, the Inception
 * Score (NaN when the detector has no class probabilities) and KID against the reference features
 * (NaN when the reference file holds none).
 */
public record RepeatScores(
    int repeat, long images, double fid, double isMean, double isStd, double kidMean, double kidStd)
    implements Serializable {

  /** One line of text, every double exact (hex): the pipeline writes it, the driver reads it. */
  public String toLine() {
    return String.format(
        Locale.ROOT,
        "%d %d %s %s %s %s %s",
        repeat,
        images,
        Double.toHexString(fid),
        Double.toHexString(isMean),
        Double.toHexString(isStd),
        Double.toHexString(kidMean),
        Double.toHexString(kidStd));
  }

  public static RepeatScores parse(String line) {
    String[] f = line.trim().split("\\s+");
    if (f.length != 7) {
      throw new IllegalArgumentException("not a scores line: '" + line + "'");
    }
    return new RepeatScores(
        Integer.parseInt(f[0]),
        Long.parseLong(f[1]),
        Double.parseDouble(f[2]),
        Double.parseDouble(f[3]),
        Double.parseDouble(f[4]),
        Double.parseDouble(f[5]),
        Double.parseDouble(f[6]));
  }
}

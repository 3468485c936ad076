package dev.cdm.model.training;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The name of a file a training run writes at a point of its progress, {@code
 * <prefix>-<kimg><extension>}: the kimg as the reference's whole {@code %06d} ({@code
 * network-snapshot-000500.pkl}) or, for ticks of a fraction of a kimg, to three decimals ({@code
 * network-snapshot-000001.500.safetensors}, see {@link TrainingOptions#decimalKimgNames}). The one
 * grammar of these names: {@link Checkpoints} writes them, and {@code cdm evaluate} (once and
 * {@code --watch}), {@code cdm demo} and {@code cdm train --resume} read them.
 *
 * @param prefix {@link #NETWORK} or {@link #STATE}
 * @param kimgText the kimg as written in the name ({@code 000001.500}); a reference state pairs
 *     with the network snapshot of the same text
 * @param extension with its dot: {@code .pkl}, {@code .safetensors} or {@code .pt}
 */
public record KimgFileName(String prefix, String kimgText, String extension) {
  /** The EMA network's snapshot. */
  public static final String NETWORK = "network-snapshot";

  /** The training state (network, EMA, optimizer, progress). */
  public static final String STATE = "training-state";

  private static final Pattern NAME =
      Pattern.compile(
          "(" + NETWORK + "|" + STATE + ")-(\\d+(?:\\.\\d+)?)(\\.pkl|\\.safetensors|\\.pt)");

  /**
   * The name of the file {@code prefix} after {@code curNimg} images: whole kimg (rounded down, as
   * the reference's {@code cur_nimg//1000}) or, with {@code decimal}, to three decimals.
   */
  public static String format(String prefix, long curNimg, boolean decimal, String extension) {
    return decimal
        ? String.format(Locale.ROOT, "%s-%010.3f%s", prefix, curNimg / 1000.0, extension)
        : String.format(Locale.ROOT, "%s-%06d%s", prefix, curNimg / 1000, extension);
  }

  /** The parts of {@code fileName}, or null when it is not such a name (e.g. {@code .part}). */
  public static KimgFileName parse(String fileName) {
    Matcher m = NAME.matcher(fileName);
    return m.matches() ? new KimgFileName(m.group(1), m.group(2), m.group(3)) : null;
  }

  /** The training progress in kimg: 500, 1.5. */
  public double kimg() {
    return Double.parseDouble(kimgText);
  }

  /** Whether this is a network snapshot ({@code .pkl} or {@code .safetensors}). */
  public boolean isNetworkSnapshot() {
    return prefix.equals(NETWORK) && !extension.equals(".pt");
  }

  /**
   * {@code kimg} as a JSON number: a whole kimg as an integer ({@code 500}, as results files always
   * had it), a fraction as a decimal ({@code 1.5}).
   */
  public static Number jsonNumber(double kimg) {
    return isWhole(kimg) ? (Number) (long) kimg : (Number) kimg;
  }

  /** {@code kimg} for people: {@code 500}, {@code 1.5}. */
  public static String text(double kimg) {
    return isWhole(kimg)
        ? Long.toString((long) kimg)
        : BigDecimal.valueOf(kimg).stripTrailingZeros().toPlainString();
  }

  private static boolean isWhole(double kimg) {
    return kimg == Math.rint(kimg) && Math.abs(kimg) < 1e15;
  }
}

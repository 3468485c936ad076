package dev.cdm.model.sampling;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The seed list syntax of the reference's {@code generate.py}: comma-separated integers or
 * inclusive ranges, e.g. {@code 1,2,5-10} = [1, 2, 5, 6, 7, 8, 9, 10]. Order and duplicates are
 * kept, as the reference keeps them; a reversed range such as {@code 5-2} is an error (the
 * reference silently makes no images for it).
 */
public final class SeedList {
  private static final Pattern RANGE = Pattern.compile("^(\\d+)-(\\d+)$");

  private SeedList() {}

  /** Parses {@code text}; {@code flag} names the option in error messages (e.g. "--seeds"). */
  public static List<Long> parse(String text, String flag) {
    List<Long> seeds = new ArrayList<>();
    for (String part : text.split(",", -1)) {
      Matcher m = RANGE.matcher(part);
      try {
        if (m.matches()) {
          long lo = Long.parseLong(m.group(1));
          long hi = Long.parseLong(m.group(2));
          if (lo > hi) {
            throw new IllegalArgumentException(
                flag
                    + ": '"
                    + part
                    + "' in '"
                    + text
                    + "' is an empty range (its first seed is after its last; write "
                    + hi
                    + "-"
                    + lo
                    + ")");
          }
          for (long s = lo; s <= hi; s++) {
            seeds.add(s);
          }
        } else {
          seeds.add(Long.parseLong(part.trim()));
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            flag + ": '" + part + "' in '" + text + "' is neither an integer nor a range like 5-10",
            e);
      }
    }
    return seeds;
  }

  public static List<Long> parse(String text) {
    return parse(text, "seeds");
  }

  /**
   * Splits seeds into batches as {@code generate.py} does on one process: {@code ceil(n /
   * maxBatch)} batches of nearly equal size ({@code tensor_split}: the first {@code n % batches}
   * batches hold one more seed). Each batch is a list, the element type a pipeline's {@code Create}
   * and the generate transforms take.
   */
  public static List<List<Long>> batches(List<Long> seeds, int maxBatch) {
    if (maxBatch < 1) {
      throw new IllegalArgumentException("--batch: must be >= 1, got " + maxBatch);
    }
    int n = seeds.size();
    List<List<Long>> out = new ArrayList<>();
    if (n == 0) {
      return out;
    }
    int count = (n - 1) / maxBatch + 1;
    int base = n / count;
    int extra = n % count;
    int pos = 0;
    for (int b = 0; b < count; b++) {
      int size = base + (b < extra ? 1 : 0);
      out.add(new ArrayList<>(seeds.subList(pos, pos + size)));
      pos += size;
    }
    return out;
  }
}

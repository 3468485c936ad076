package dev.cdm.model.sampling;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The seed list syntax of the reference's {@code generate.py}: comma-separated integers or
 * inclusive ranges, e.g. {@code 1,2,5-10} = [1, 2, 5, 6, 7, 8, 9, 10]. Order and duplicates are
 * kept, as the reference keeps them.
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
          for (long s = lo; s <= hi; s++) {
            seeds.add(s);
          }
        } else {
          seeds.add(Long.parseLong(part.trim()));
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            flag + ": '" + part + "' in '" + text + "' is neither an integer nor a range like 5-10", e);
      }
    }
    return seeds;
  }

  public static List<Long> parse(String text) {
    return parse(text, "seeds");
  }
}

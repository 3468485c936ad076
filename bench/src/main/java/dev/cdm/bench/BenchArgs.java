package dev.cdm.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** The {@code key=value} arguments of the benchmark programs ({@code --key=value} works too). */
public final class BenchArgs {
  private BenchArgs() {}

  /** The arguments by key, in the given order; an argument without {@code =} is an error. */
  public static Map<String, String> parse(String[] args) {
    Map<String, String> a = new LinkedHashMap<>();
    for (String arg : args) {
      String s = arg.startsWith("--") ? arg.substring(2) : arg;
      int eq = s.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException("argument '" + arg + "': expected key=value");
      }
      a.put(s.substring(0, eq), s.substring(eq + 1));
    }
    return a;
  }
}

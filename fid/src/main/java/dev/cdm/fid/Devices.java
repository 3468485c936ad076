package dev.cdm.fid;

import ai.djl.Device;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Device names of the command line: {@code cpu}, {@code gpu} (card 0), {@code gpu:N} or {@code gpuN}. */
public final class Devices {
  private static final Pattern GPU = Pattern.compile("(?:gpu|cuda)(?::?(\\d+))?");

  private Devices() {}

  /** Parses {@code name}; {@code flag} names the input in the error. */
  public static Device parse(String name, String flag) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    if (n.equals("cpu")) {
      return Device.cpu();
    }
    // Not Device.fromName: it reads "gpu" as gpu(-1).
    Matcher m = GPU.matcher(n);
    if (m.matches()) {
      return Device.gpu(m.group(1) == null ? 0 : Integer.parseInt(m.group(1)));
    }
    throw new IllegalArgumentException(flag + "=" + name + ": expected cpu, gpu or gpu:N");
  }
}

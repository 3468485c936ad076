package dev.cdm.fid;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one {@code --device} grammar of the command line, for every command:
 *
 * <ul>
 *   <li>{@code auto} (the default): every GPU of the host, else the CPU;
 *   <li>{@code cpu};
 *   <li>{@code gpu}: every GPU of the host (an error when there is none);
 *   <li>{@code gpu:N} or {@code gpu:N,M,...}: those cards.
 * </ul>
 *
 * A command that runs on several devices at once (training) takes {@link #resolve all of them};
 * worker slots of a pipeline (Flink task slots, DirectRunner threads) take them {@link #forSlot one
 * per slot} ({@link WorkerSlots}: slot s on device s mod n, stable per thread). {@link #check}
 * validates the text without starting the engine, so that a typo fails before any work.
 */
public final class Devices {
  /** The default of every {@code --device} flag. */
  public static final String DEFAULT = "auto";

  private static final Pattern GRAMMAR = Pattern.compile("auto|cpu|gpu(?::\\d+(?:,\\d+)*)?");
  private static final Pattern CARDS = Pattern.compile("gpu:(.*)");

  private Devices() {}

  /** The normalised text (lower case, no blanks); {@code flag} names the input in the error. */
  public static String check(String text, String flag) {
    String n = text == null ? DEFAULT : text.replace(" ", "").toLowerCase(Locale.ROOT);
    if (!GRAMMAR.matcher(n).matches()) {
      throw new IllegalArgumentException(
          flag + "=" + text + ": expected auto, cpu, gpu or gpu:N (e.g. gpu:0 or gpu:0,1)");
    }
    return n;
  }

  /** Every device {@code text} names on this host, in order; errors name {@code flag}. */
  public static List<Device> resolve(String text, String flag) {
    String n = check(text, flag);
    List<Device> out = new ArrayList<>();
    if (n.equals("cpu")) {
      out.add(Device.cpu());
      return out;
    }
    int gpus = Engine.getInstance().getGpuCount();
    if (n.equals("auto") || n.equals("gpu")) {
      if (gpus == 0) {
        if (n.equals("gpu")) {
          throw new IllegalArgumentException(
              flag
                  + "=gpu: no GPU visible to the PyTorch engine"
                  + " (CPU build of libtorch, or no usable CUDA driver); use "
                  + flag
                  + "=cpu or auto");
        }
        out.add(Device.cpu());
      }
      for (int i = 0; i < gpus; i++) {
        out.add(Device.gpu(i));
      }
      return out;
    }
    Matcher m = CARDS.matcher(n);
    m.matches();
    for (String id : m.group(1).split(",")) {
      int i = Integer.parseInt(id);
      if (i >= gpus) {
        throw new IllegalArgumentException(
            flag
                + "="
                + text
                + ": GPU "
                + i
                + " does not exist"
                + " (this host has "
                + gpus
                + " GPU"
                + (gpus == 1 ? "" : "s")
                + " visible)");
      }
      out.add(Device.gpu(i));
    }
    return out;
  }

  /**
   * The device of the calling worker slot: entry {@code slot mod n} of the {@code n} devices of
   * {@code text} ({@link WorkerSlots}), so that the slots of a multi-GPU worker spread over its
   * cards and every DoFn of one slot (sampler, detector) uses the same card.
   */
  public static Device forSlot(String text, String flag) {
    return WorkerSlots.pick(resolve(text, flag));
  }

  /** The first device {@code text} names (single-device programs such as benchmarks). */
  public static Device parse(String text, String flag) {
    return resolve(text, flag).get(0);
  }
}

package dev.cdm.model.audit;

import static net.bytebuddy.matcher.ElementMatchers.named;

import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.ByteBuddyAgent;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.dynamic.loading.ClassReloadingStrategy;

/**
 * Records every array DJL makes from host memory ({@code JniUtils.createNdFromByteBuffer}, behind
 * {@code NDManager.create(...)} and every array-by-{@code Number} op such as {@code x.mul(2f)})
 * while a body runs on the calling thread. On a GPU each such array is a blocking host-to-device
 * copy (libtorch synchronises the stream after a pageable copy), which drains the device's queue;
 * the network and the samplers must make none. On the CPU engine the same calls happen, so the CPU
 * test suite can check for them.
 */
public final class HostUploads {
  private static final ThreadLocal<List<String>> RECORDING = new ThreadLocal<>();
  private static volatile List<String> everyThread;
  private static boolean installed;

  private HostUploads() {}

  /** Instruments DJL once per JVM (a self-attached agent redefines JniUtils with a probe). */
  private static synchronized void install() {
    if (installed) {
      return;
    }
    ByteBuddyAgent.install();
    new ByteBuddy()
        .redefine(JniUtils.class)
        .visit(Advice.to(Probe.class).on(named("createNdFromByteBuffer")))
        .make()
        .load(JniUtils.class.getClassLoader(), ClassReloadingStrategy.fromInstalledAgent());
    installed = true;
  }

  /** Inlined into JniUtils.createNdFromByteBuffer. */
  public static final class Probe {
    @Advice.OnMethodEnter
    static void enter() {
      HostUploads.record();
    }
  }

  /** Called by the probe. */
  public static void record() {
    List<String> rec = RECORDING.get();
    if (rec == null) {
      rec = everyThread;
    }
    if (rec == null) {
      return;
    }
    StringBuilder where = new StringBuilder();
    int frames = 0;
    for (StackTraceElement e : new Throwable().getStackTrace()) {
      if (e.getClassName().startsWith("dev.cdm.")
          && !e.getClassName().startsWith("dev.cdm.model.audit.")
          && frames++ < 3) {
        if (where.length() > 0) {
          where.append(" <- ");
        }
        where
            .append(e.getClassName().substring(e.getClassName().lastIndexOf('.') + 1))
            .append('.')
            .append(e.getMethodName())
            .append(':')
            .append(e.getLineNumber());
      }
    }
    synchronized (rec) {
      rec.add(where.toString());
    }
  }

  /**
   * Runs {@code body} and returns where it made arrays from host memory (each place once, with the
   * first three of the project's frames of its stack and a count), leaving out those whose stack
   * matches {@code allowed}.
   */
  public static List<String> during(Runnable body, Predicate<String> allowed) {
    return during(body, allowed, false);
  }

  /** As {@link #during(Runnable, Predicate)}, recording on every thread if {@code allThreads}. */
  public static List<String> during(Runnable body, Predicate<String> allowed, boolean allThreads) {
    install();
    List<String> rec = new ArrayList<>();
    if (allThreads) {
      everyThread = rec;
    } else {
      RECORDING.set(rec);
    }
    try {
      body.run();
    } finally {
      RECORDING.remove();
      everyThread = null;
    }
    rec.removeIf(allowed);
    java.util.Map<String, Integer> counts = new java.util.TreeMap<>();
    rec.forEach(w -> counts.merge(w, 1, Integer::sum));
    List<String> out = new ArrayList<>();
    counts.forEach((w, k) -> out.add(k + "x " + w));
    return out;
  }
}

package dev.cdm.model.training;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.util.cuda.CudaUtils;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * What the loop tells the user: the reference's status line at every tick (plus the rate and an
 * ETA), a short progress line at most once a minute between ticks, and the tick's statistics
 * appended to {@code stats.jsonl}. Also the tick clock: when the run and the current tick started.
 *
 * <p>The loss statistics stay on the device until a tick reads them (one sync per tick, none per
 * step).
 */
final class TickReport {
  private static final long PROGRESS_INTERVAL_NS = 60_000_000_000L;

  private final TrainingOptions opts;
  private final Consumer<String> log;
  private final Device device;
  private final TrainingStats stats = new TrainingStats();
  private long lastProgress = System.nanoTime();
  private long startTime;
  private long tickStartNimg;
  private long tickStartTime;
  private double maintenance;
  private NDArray lossMoments; // float64 [count, sum, sum of squares] since the last tick
  private double lastLossMean = Double.NaN;

  /** {@code device}: replica 0's, whose memory the status line reports. */
  TickReport(TrainingOptions opts, Consumer<String> log, Device device) {
    this.opts = opts;
    this.log = log;
    this.device = device;
  }

  /** Starts the run's clock and the first tick at {@code curNimg}. */
  void start(long curNimg) {
    startTime = System.nanoTime();
    tickStartNimg = curNimg;
    tickStartTime = startTime;
    maintenance = 0;
  }

  /** Seconds since {@link #start}. */
  double elapsedSeconds() {
    return (System.nanoTime() - startTime) / 1e9;
  }

  /**
   * True when a tick ends at {@code curNimg}: the first step, the tick length reached, or the run
   * done.
   */
  boolean tickEnds(long curNimg, long curTick, boolean done) {
    return done || curTick == 0 || curNimg >= tickStartNimg + opts.kimgPerTick() * 1000;
  }

  /** Adds a step's loss moments (taken over; a device array) to the tick's. */
  void addLossMoments(NDArray total) {
    if (lossMoments == null) {
      lossMoments = total;
    } else {
      lossMoments.addi(total);
      total.close();
    }
  }

  /** Mean loss per element over the last completed tick. */
  double lastLossMean() {
    return lastLossMean;
  }

  /**
   * Between ticks (which can be many minutes apart): a short progress line at most once a minute.
   */
  void progress(long curNimg, long curTick) {
    long now = System.nanoTime();
    if (now - lastProgress > PROGRESS_INTERVAL_NS) {
      double rate = (curNimg - tickStartNimg) / ((now - tickStartTime) / 1e9);
      double left =
          timeBound(Math.max(opts.totalKimg() * 1000 - curNimg, 0) / Math.max(rate, 1e-9));
      log.accept(
          String.format(
              Locale.ROOT,
              "  ... kimg %.1f of %.1f, %.1f img/s, tick %d at kimg %.1f, eta %s",
              curNimg / 1e3,
              opts.totalKimg(),
              rate,
              curTick,
              (tickStartNimg + opts.kimgPerTick() * 1000) / 1e3,
              TrainingStats.formatTime(left)));
      lastProgress = now;
    }
  }

  /**
   * The status line of the tick ending at {@code curNimg}, with the reference's fields plus the
   * rate and an ETA; returns when the tick's work ended (maintenance is measured from there).
   */
  long statusLine(long curNimg, long curTick) {
    lastProgress = System.nanoTime();
    drainLoss();
    long tickEnd = System.nanoTime();
    double total = (tickEnd - startTime) / 1e9;
    double secTick = (tickEnd - tickStartTime) / 1e9;
    double secKimg = secTick / Math.max(curNimg - tickStartNimg, 1) * 1e3;
    double eta = timeBound(secKimg * Math.max(opts.totalKimg() - curNimg / 1e3, 0));
    List<String> f = new ArrayList<>();
    f.add(String.format(Locale.ROOT, "tick %-5d", (long) stats.report0("Progress/tick", curTick)));
    f.add(String.format(Locale.ROOT, "kimg %-9.1f", stats.report0("Progress/kimg", curNimg / 1e3)));
    f.add(
        String.format(
            Locale.ROOT,
            "time %-12s",
            TrainingStats.formatTime(stats.report0("Timing/total_sec", total))));
    f.add(
        String.format(
            Locale.ROOT, "sec/tick %-7.1f", stats.report0("Timing/sec_per_tick", secTick)));
    f.add(
        String.format(
            Locale.ROOT, "sec/kimg %-7.2f", stats.report0("Timing/sec_per_kimg", secKimg)));
    f.add(
        String.format(
            Locale.ROOT,
            "maintenance %-6.1f",
            stats.report0("Timing/maintenance_sec", maintenance)));
    f.add(
        String.format(
            Locale.ROOT, "cpumem %-6.2f", stats.report0("Resources/cpu_mem_gb", rssGb())));
    f.add(
        String.format(
            Locale.ROOT,
            "gpumem %-6.2f",
            stats.report0("Resources/peak_gpu_mem_gb", deviceMemGb())));
    f.add(String.format(Locale.ROOT, "kimg/s %-7.3f", secKimg > 0 ? 1 / secKimg : 0));
    f.add(String.format(Locale.ROOT, "loss %-8.4f", lastLossMean));
    f.add("eta " + TrainingStats.formatTime(eta));
    log.accept(String.join(" ", f));
    return tickEnd;
  }

  /** Appends the tick's statistics to {@code stats.jsonl} (the reference's {@code stats_jsonl}). */
  void appendStats() throws IOException {
    JsonObject o = stats.drain();
    o.addProperty("timestamp", System.currentTimeMillis() / 1000.0);
    Files.writeString(
        opts.runDir().resolve("stats.jsonl"),
        o + "\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }

  /** Starts the next tick at {@code curNimg}; the time since {@code tickEnd} was maintenance. */
  void nextTick(long curNimg, long tickEnd) {
    tickStartNimg = curNimg;
    tickStartTime = System.nanoTime();
    maintenance = (tickStartTime - tickEnd) / 1e9;
  }

  /**
   * Reads the accumulated loss statistics into the stats collector (a device sync, once per tick).
   */
  private void drainLoss() {
    if (lossMoments != null) {
      double[] m = lossMoments.toDoubleArray();
      stats.report("Loss/loss", m[0], m[1], m[2]);
      lastLossMean = m[1] / m[0];
      lossMoments.close();
      lossMoments = null;
    }
  }

  /** An ETA in seconds, capped by what is left of maxSeconds (when set). */
  private double timeBound(double etaSeconds) {
    if (opts.maxSeconds() == null) {
      return etaSeconds;
    }
    return Math.min(
        etaSeconds, Math.max(0, opts.maxSeconds() - (System.nanoTime() - startTime) / 1e9));
  }

  private static double rssGb() {
    try {
      String[] statm = Files.readString(Path.of("/proc/self/statm")).trim().split("\\s+");
      return Long.parseLong(statm[1]) * 4096.0 / (1L << 30);
    } catch (IOException | RuntimeException e) {
      return Runtime.getRuntime().totalMemory() / (double) (1L << 30);
    }
  }

  private double deviceMemGb() {
    if (!device.isGpu()) {
      return 0;
    }
    try {
      return CudaUtils.getGpuMemory(device).getCommitted() / (double) (1L << 30);
    } catch (RuntimeException e) {
      return 0;
    }
  }
}

package dev.cdm.transforms.generate;

import ai.djl.ndarray.NDManager;
import dev.cdm.fid.Devices;
import dev.cdm.model.precond.Denoiser;
import dev.cdm.model.sampling.Sampler;
import dev.cdm.model.sampling.SamplerSpec;
import dev.cdm.model.sampling.SeedImages;
import dev.cdm.transforms.ProgressMeter;
import java.util.List;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Generates the images of one batch of seeds, as one iteration of {@code generate.py}'s loop. The
 * network is loaded once per DoFn instance ({@code @Setup}) on the worker slot's device ({@link
 * Devices#forSlot}: entry slot mod n of the {@code --device} list, the same for every DoFn of the
 * slot's thread, see {@code WorkerSlots}) and kept for every bundle; each output image depends only
 * on its seed.
 *
 * <p>{@link #perWindow}: the network depends on the element's window (one snapshot per window in a
 * streaming evaluation); the instance keeps the network of the last window it saw and loads another
 * when the window changes. A network that cannot be loaded is reported once and its window's
 * batches are dropped (the rest of the pipeline goes on); progress is per window. The report also
 * goes to the {@link #FAILURES} output (one line per instance and window), so that a step
 * downstream learns of it from data, without waiting for the window to close.
 */
public final class GenerateImagesFn extends DoFn<List<Long>, GeneratedImage> {
  private static final long serialVersionUID = 1L;

  /** The main output: the samples. */
  public static final TupleTag<GeneratedImage> SAMPLES = new TupleTag<GeneratedImage>() {};

  /** Per window whose network could not be loaded: "window: reason" (perWindow only). */
  public static final TupleTag<String> FAILURES = new TupleTag<String>() {};

  // Beam metrics, per transform in the Flink web UI (job, Accumulators):
  // images made, batches that failed.
  private final Counter images = Metrics.counter("cdm", "generate.images");
  private final Counter failures = Metrics.counter("cdm", "generate.failures");

  private final DenoiserFactory network;
  private final SerializableFunction<BoundedWindow, DenoiserFactory> networkOfWindow;
  private final SamplerSpec samplerSpec;
  private final int classIdx;
  private final String device;
  private final String progressKey;
  private final long totalImages;

  /** One meter per pipeline run and JVM, shared by the JVM's worker slots. */
  private final String runId = java.util.UUID.randomUUID().toString();

  private transient NDManager manager;
  private transient Denoiser net;
  private transient Sampler sampler;
  private transient ProgressMeter progress;

  /** Per window: the window whose network is loaded, and the windows whose network failed. */
  private transient BoundedWindow loaded;

  private transient java.util.Set<BoundedWindow> failed;

  /**
   * @param classIdx forced class, or -1 for the per-seed random labels
   * @param device a {@code --device} value ({@link Devices})
   * @param progressKey names the job in progress lines (e.g. the output directory)
   * @param totalImages how many images the whole job makes (for the ETA); 0 = unknown
   */
  public GenerateImagesFn(
      DenoiserFactory network,
      SamplerSpec samplerSpec,
      int classIdx,
      String device,
      String progressKey,
      long totalImages) {
    this(network, null, samplerSpec, classIdx, device, progressKey, totalImages);
  }

  private GenerateImagesFn(
      DenoiserFactory network,
      SerializableFunction<BoundedWindow, DenoiserFactory> networkOfWindow,
      SamplerSpec samplerSpec,
      int classIdx,
      String device,
      String progressKey,
      long totalImages) {
    this.network = network;
    this.networkOfWindow = networkOfWindow;
    this.samplerSpec = samplerSpec;
    this.classIdx = classIdx;
    this.device = device;
    this.progressKey = progressKey;
    this.totalImages = totalImages;
  }

  /**
   * The network of each element's window ({@code networkOfWindow}); {@code totalImages} is per
   * window, and the progress lines name the window ({@code toString}).
   */
  public static GenerateImagesFn perWindow(
      SerializableFunction<BoundedWindow, DenoiserFactory> networkOfWindow,
      SamplerSpec samplerSpec,
      int classIdx,
      String device,
      String progressKey,
      long totalImages) {
    return new GenerateImagesFn(
        null, networkOfWindow, samplerSpec, classIdx, device, progressKey, totalImages);
  }

  @Setup
  public void setup() throws Exception {
    manager = NDManager.newBaseManager(Devices.forSlot(device, "--device"));
    sampler = samplerSpec.toSampler();
    if (network != null) {
      net = network.load(manager);
      progress = ProgressMeter.of(runId + "/generate", progressKey, "images", totalImages);
    } else {
      failed = new java.util.HashSet<>();
    }
  }

  /**
   * Loads the network of {@code window} unless it is the one loaded; false when it failed (the
   * first time, the failure is reported to {@code failuresOut}).
   */
  private boolean networkFor(BoundedWindow window, OutputReceiver<String> failuresOut) {
    if (network != null || window.equals(loaded)) {
      return true;
    }
    if (failed.contains(window)) {
      return false;
    }
    if (manager != null) {
      manager.close(); // the previous window's network
    }
    manager = NDManager.newBaseManager(Devices.forSlot(device, "--device"));
    loaded = null;
    try {
      net = networkOfWindow.apply(window).load(manager);
    } catch (Exception e) {
      failures.inc();
      failed.add(window);
      System.err.println(
          progressKey
              + " "
              + window
              + ": cannot load the network ("
              + e.getMessage()
              + "); its samples are skipped");
      failuresOut.output(window + ": cannot load the network (" + e.getMessage() + ")");
      return false;
    }
    loaded = window;
    progress =
        ProgressMeter.of(
            runId + "/generate/" + window, progressKey + " " + window, "images", totalImages);
    return true;
  }

  @ProcessElement
  public void process(@Element List<Long> seeds, BoundedWindow window, MultiOutputReceiver outs) {
    OutputReceiver<GeneratedImage> out = outs.get(SAMPLES);
    long[] s = seeds.stream().mapToLong(Long::longValue).toArray();
    if (s.length == 0 || !networkFor(window, outs.get(FAILURES))) {
      return;
    }
    SeedImages.HwcBatch batch;
    try {
      batch = SeedImages.sampleHwc(net, sampler, manager, s, classIdx);
    } catch (RuntimeException | Error e) {
      failures.inc();
      throw e; // fails the job (an Error too: a worker that cannot sample is not skipped)
    }
    int r = net.imgResolution();
    int c = net.imgChannels();
    int per = r * r * c;
    byte[] hwc = batch.pixels();
    for (int b = 0; b < s.length; b++) {
      byte[] px = java.util.Arrays.copyOfRange(hwc, b * per, (b + 1) * per);
      out.output(new GeneratedImage(s[b], batch.classes()[b], r, r, c, px));
    }
    images.inc(s.length);
    progress.add(s.length);
  }

  @Teardown
  public void teardown() {
    if (manager != null) {
      manager.close();
      manager = null;
    }
  }
}

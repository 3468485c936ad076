package dev.cdm.transforms.generate;

import ai.djl.ndarray.NDManager;
import dev.cdm.fid.Devices;
import dev.cdm.model.precond.Denoiser;
import dev.cdm.model.sampling.Sampler;
import dev.cdm.model.sampling.SamplerSpec;
import dev.cdm.model.sampling.SeedImages;
import dev.cdm.transforms.ProgressMeter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;

/**
 * Generates the images of one batch of seeds, as one iteration of {@code generate.py}'s loop.
 * The network is loaded once per DoFn instance ({@code @Setup}) on the worker slot's device
 * ({@link Devices#forSlot}: one of the {@code --device} devices per slot) and kept for every bundle; each output image depends only on its seed.
 */
public final class GenerateImagesFn extends DoFn<List<Long>, GeneratedImage> {
  private static final long serialVersionUID = 1L;
  // Beam metrics, per transform in the Flink web UI (job, Accumulators):
  // images made, batches that failed.
  private final Counter images = Metrics.counter("cdm", "generate.images");
  private final Counter failures = Metrics.counter("cdm", "generate.failures");

  private final DenoiserFactory network;
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
    this.network = network;
    this.samplerSpec = samplerSpec;
    this.classIdx = classIdx;
    this.device = device;
    this.progressKey = progressKey;
    this.totalImages = totalImages;
  }

  @Setup
  public void setup() throws Exception {
    manager = NDManager.newBaseManager(Devices.forSlot(device, "--device"));
    net = network.load(manager);
    sampler = samplerSpec.toSampler();
    progress = ProgressMeter.of(runId + "/generate", progressKey, "images", totalImages);
  }

  @ProcessElement
  public void process(@Element List<Long> seeds, OutputReceiver<GeneratedImage> out) {
    long[] s = seeds.stream().mapToLong(Long::longValue).toArray();
    if (s.length == 0) {
      return;
    }
    SeedImages.HwcBatch batch;
    try {
      batch = SeedImages.sampleHwc(net, sampler, manager, s, classIdx);
    } catch (RuntimeException e) {
      failures.inc();
      throw e;
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

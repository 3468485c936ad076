package dev.cdm.transforms.fid;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.cdm.fid.Detector;
import dev.cdm.fid.FeatureMoments;
import dev.cdm.fid.FeatureSums;
import dev.cdm.transforms.ProgressMeter;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;

/**
 * Runs image batches through the detector (loaded once per worker, see {@link SharedDetectors}) and
 * accumulates float64 feature sums per group on the device for the whole bundle; the bundle's
 * partial moments are emitted when it finishes, so only d + d^2 doubles per bundle leave the
 * device. Batches larger than {@code maxBatch} are split, as the reference's {@code --batch}.
 */
final class ExtractFeatureMomentsFn extends DoFn<ImageBatch, KV<Integer, FeatureMoments>> {
  private final String detectorSpec;
  private final String device;
  private final int maxBatch;
  private final long expectedImages;
  private final String runId;
  // One progress line per pipeline run and JVM, shared by the DoFn instances of that run.
  // Beam metrics, per transform in the Flink web UI (job, Accumulators):
  // images scored, pixel bytes read, detector batches that failed.
  private final Counter images = Metrics.counter("cdm", "fid.images");
  private final Counter bytes = Metrics.counter("cdm", "fid.bytes");
  private final Counter failures = Metrics.counter("cdm", "fid.failures");

  private transient Detector detector;
  private transient NDManager manager;
  private transient Map<Integer, FeatureSums> sums;
  private transient ProgressMeter progress;

  ExtractFeatureMomentsFn(
      String detectorSpec, String device, int maxBatch, long expectedImages, String runId) {
    this.runId = runId;
    this.detectorSpec = detectorSpec;
    this.device = device;
    this.maxBatch = maxBatch;
    this.expectedImages = expectedImages;
  }

  @Setup
  public void setup() {
    detector = SharedDetectors.get(detectorSpec, device);
    manager = NDManager.newBaseManager(detector.device());
    progress = ProgressMeter.of(runId + "/features", "features", "images", expectedImages);
  }

  @StartBundle
  public void startBundle() {
    sums = new HashMap<>();
  }

  @ProcessElement
  public void process(@Element ImageBatch batch) {
    FeatureSums s = sums.computeIfAbsent(batch.group(), g -> new FeatureSums(manager));
    int per = batch.channels() * batch.height() * batch.width();
    for (int start = 0; start < batch.count(); start += maxBatch) {
      int n = Math.min(maxBatch, batch.count() - start);
      try (NDManager step = manager.newSubManager()) {
        NDArray pixels =
            step.create(
                ByteBuffer.wrap(batch.pixels(), start * per, n * per).slice(),
                new Shape(n, batch.channels(), batch.height(), batch.width()),
                DataType.UINT8);
        s.add(detector.features(pixels));
      } catch (RuntimeException e) {
        failures.inc();
        throw e;
      }
      images.inc(n);
      bytes.inc((long) n * per);
      progress.add(n);
    }
  }

  @FinishBundle
  public void finishBundle(FinishBundleContext context) {
    for (Map.Entry<Integer, FeatureSums> e : sums.entrySet()) {
      FeatureMoments m = e.getValue().toMoments();
      e.getValue().close();
      if (m.count() > 0) {
        context.output(
            KV.of(e.getKey(), m), BoundedWindow.TIMESTAMP_MIN_VALUE, GlobalWindow.INSTANCE);
      }
    }
    sums = null;
  }

  @Teardown
  public void teardown() {
    if (manager != null) {
      manager.close();
    }
  }
}

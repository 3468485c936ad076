package dev.cdm.transforms.evaluate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.cdm.fid.Detector;
import dev.cdm.fid.FeatureSums;
import dev.cdm.fid.InceptionScore;
import dev.cdm.transforms.fid.SharedDetectors;
import dev.cdm.transforms.generate.GeneratedImage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.KV;

/**
 * Runs fresh samples through the detector as they come out of the generator (never written): seed
 * {@code s < num * repeats} belongs to repeat {@code s / num} at position {@code s % num}. Per
 * bundle and repeat it sums the features on the device (FID), the class probabilities by position
 * part (Inception Score), and keeps the features of positions below {@code kidImages} (KID); the
 * partial {@link SampleScores} leave when the bundle finishes, in the window of the samples (one
 * per snapshot when several are evaluated in one pipeline). Other seeds (extra grid seeds) are not
 * scored.
 */
final class ScoreSamplesFn extends DoFn<GeneratedImage, KV<Integer, SampleScores>> {
  private static final long serialVersionUID = 1L;
  // Beam metrics, per transform in the Flink web UI (job, Accumulators):
  // samples scored, detector batches that failed.
  private final Counter scored = Metrics.counter("cdm", "evaluate.images");
  private final Counter failures = Metrics.counter("cdm", "evaluate.failures");

  private final String detectorSpec;
  private final String device;
  private final int maxBatch;
  private final long num;
  private final int repeats;
  private final long kidImages;

  private transient Detector detector;
  private transient NDManager manager;
  private transient Map<Part, List<GeneratedImage>> pending;
  private transient Map<Part, FeatureSums> sums;
  private transient Map<Part, SampleScores> scores;

  /** The samples of one repeat in one window. */
  private record Part(BoundedWindow window, int repeat) {}

  ScoreSamplesFn(
      String detectorSpec, String device, int maxBatch, long num, int repeats, long kidImages) {
    this.detectorSpec = detectorSpec;
    this.device = device;
    this.maxBatch = maxBatch;
    this.num = num;
    this.repeats = repeats;
    this.kidImages = kidImages;
  }

  @Setup
  public void setup() {
    detector = SharedDetectors.get(detectorSpec, device);
    manager = NDManager.newBaseManager(detector.device());
  }

  @StartBundle
  public void startBundle() {
    pending = new HashMap<>();
    sums = new HashMap<>();
    scores = new HashMap<>();
  }

  @ProcessElement
  public void process(@Element GeneratedImage image, BoundedWindow window) {
    if (image.seed() < 0 || image.seed() >= num * repeats) {
      return;
    }
    Part part = new Part(window, (int) (image.seed() / num));
    List<GeneratedImage> list = pending.computeIfAbsent(part, r -> new ArrayList<>());
    list.add(image);
    if (list.size() >= maxBatch) {
      flush(part, list);
    }
  }

  private void flush(Part part, List<GeneratedImage> images) {
    if (images.isEmpty()) {
      return;
    }
    SampleScores s = scores.computeIfAbsent(part, r -> new SampleScores());
    FeatureSums f = sums.computeIfAbsent(part, r -> new FeatureSums(manager));
    try (NDManager step = manager.newSubManager()) {
      NDArray batch = DetectorInput.nchw(step, images);
      NDArray features = detector.features(batch);
      f.add(features);
      float[] hostFeatures = null;
      NDArray probs = detector.probabilities(batch);
      float[] p = probs == null ? null : probs.toFloatArray();
      int classes = probs == null ? 0 : (int) probs.getShape().get(1);
      int dim = (int) features.getShape().get(1);
      for (int i = 0; i < images.size(); i++) {
        long position = images.get(i).seed() % num;
        if (p == null) {
          s.markNoProbabilities();
        } else {
          float[] row = java.util.Arrays.copyOfRange(p, i * classes, (i + 1) * classes);
          s.addProbabilities(
              InceptionScore.part(position, num, InceptionScore.SPLITS),
              row,
              InceptionScore.SPLITS);
        }
        if (position < kidImages) {
          if (hostFeatures == null) {
            hostFeatures = features.toFloatArray();
          }
          s.addKidFeatures(
              position, java.util.Arrays.copyOfRange(hostFeatures, i * dim, (i + 1) * dim));
        }
      }
    } catch (RuntimeException e) {
      failures.inc();
      throw e;
    }
    scored.inc(images.size());
    images.clear();
  }

  @FinishBundle
  public void finishBundle(FinishBundleContext context) {
    for (Map.Entry<Part, List<GeneratedImage>> e : pending.entrySet()) {
      flush(e.getKey(), e.getValue());
    }
    for (Map.Entry<Part, SampleScores> e : scores.entrySet()) {
      FeatureSums f = sums.get(e.getKey());
      e.getValue().addMoments(f.toMoments());
      f.close();
      BoundedWindow w = e.getKey().window();
      context.output(KV.of(e.getKey().repeat(), e.getValue()), w.maxTimestamp(), w);
    }
    pending = null;
    sums = null;
    scores = null;
  }

  @Teardown
  public void teardown() {
    if (manager != null) {
      manager.close();
    }
  }
}

package dev.cdm.transforms.evaluate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.cdm.fid.Detector;
import dev.cdm.transforms.fid.SharedDetectors;
import dev.cdm.transforms.generate.GeneratedImage;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.KV;

/**
 * Classifies labelled samples in batches of up to {@code maxBatch} per bundle: emits {@code
 * KV(label, 1)} when the detector's most probable class is the label, else {@code KV(label, 0)}.
 * Unlabelled samples ({@code label() < 0}) are skipped.
 */
final class ClassifyFn extends DoFn<GeneratedImage, KV<Integer, Integer>> {
  private static final long serialVersionUID = 1L;

  private final String detectorSpec;
  private final String device;
  private final int maxBatch;

  private transient Detector detector;
  private transient NDManager manager;
  private transient List<GeneratedImage> pending;

  /** The window of each pending image (one per snapshot in an evaluation), in the same order. */
  private transient List<BoundedWindow> pendingWindows;

  private transient List<Outcome> done;

  /** A (label, right) pair and the window of the image it came from. */
  private record Outcome(KV<Integer, Integer> value, BoundedWindow window) {}

  ClassifyFn(String detectorSpec, String device, int maxBatch) {
    this.detectorSpec = detectorSpec;
    this.device = device;
    this.maxBatch = maxBatch;
  }

  @Setup
  public void setup() {
    detector = SharedDetectors.get(detectorSpec, device);
    manager = NDManager.newBaseManager(detector.device());
  }

  @StartBundle
  public void startBundle() {
    pending = new ArrayList<>();
    pendingWindows = new ArrayList<>();
    done = new ArrayList<>();
  }

  @ProcessElement
  public void process(@Element GeneratedImage image, BoundedWindow window) {
    if (image.label() < 0) {
      return;
    }
    pending.add(image);
    pendingWindows.add(window);
    if (pending.size() >= maxBatch) {
      flush();
    }
  }

  private void flush() {
    if (pending.isEmpty()) {
      return;
    }
    try (NDManager step = manager.newSubManager()) {
      NDArray batch = DetectorInput.nchw(step, pending);
      NDArray probs = detector.classScores(batch);
      if (probs == null) {
        throw new IllegalArgumentException(
            "detector "
                + detectorSpec
                + " gives no class scores: class accuracy needs a classifier (e.g. mnist)");
      }
      long[] predicted = probs.argMax(1).toType(DataType.INT64, false).toLongArray();
      for (int i = 0; i < pending.size(); i++) {
        int label = pending.get(i).label();
        done.add(new Outcome(KV.of(label, predicted[i] == label ? 1 : 0), pendingWindows.get(i)));
      }
    }
    pending.clear();
    pendingWindows.clear();
  }

  @FinishBundle
  public void finishBundle(FinishBundleContext context) {
    flush();
    for (Outcome o : done) {
      context.output(o.value(), o.window().maxTimestamp(), o.window());
    }
    pending = null;
    pendingWindows = null;
    done = null;
  }

  @Teardown
  public void teardown() {
    if (manager != null) {
      manager.close();
    }
  }
}

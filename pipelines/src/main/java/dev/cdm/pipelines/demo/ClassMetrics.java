package dev.cdm.pipelines.demo;

import dev.cdm.pipelines.evaluate.EvaluateJob;
import dev.cdm.transforms.evaluate.ClassAccuracy;
import dev.cdm.transforms.evaluate.ClassGrid;
import dev.cdm.transforms.generate.GeneratedImage;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

/**
 * The demo's extra metric for {@code cdm evaluate}'s pipeline: the MNIST classifier's accuracy on
 * the samples of each class ({@link ClassAccuracy}), and beside it a grid with one row per class
 * ({@link ClassGrid}) at {@code gridFile}, so one pass over the samples gives FID-MNIST, the
 * accuracies and both grids.
 */
final class ClassMetrics implements EvaluateJob.ExtraMetric {
  private static final long serialVersionUID = 1L;

  private final String detector;
  private final String device;
  private final int batch;
  private final String gridFile;
  private final int classes;
  private final int gridColumns;

  ClassMetrics(
      String detector, String device, int batch, String gridFile, int classes, int gridColumns) {
    this.detector = detector;
    this.device = device;
    this.batch = batch;
    this.gridFile = gridFile;
    this.classes = classes;
    this.gridColumns = gridColumns;
  }

  @Override
  public PTransform<PCollection<GeneratedImage>, PCollection<KV<String, Double>>> transform() {
    return new Apply(this);
  }

  private static final class Apply
      extends PTransform<PCollection<GeneratedImage>, PCollection<KV<String, Double>>> {
    private static final long serialVersionUID = 1L;
    private final ClassMetrics m;

    Apply(ClassMetrics m) {
      this.m = m;
    }

    @Override
    public PCollection<KV<String, Double>> expand(PCollection<GeneratedImage> samples) {
      samples.apply("ClassGrid", new ClassGrid(m.gridFile, m.classes, m.gridColumns));
      return samples.apply("ClassAccuracy", new ClassAccuracy(m.detector, m.device, m.batch));
    }
  }
}

package dev.cdm.pipelines.evaluate;

import dev.cdm.model.sampling.SeedList;
import dev.cdm.transforms.evaluate.RepeatScores;
import dev.cdm.transforms.evaluate.ScoreSamples;
import dev.cdm.transforms.evaluate.SnapshotWindow;
import dev.cdm.transforms.evaluate.SnapshotWindows;
import dev.cdm.transforms.evaluate.WriteGrid;
import dev.cdm.transforms.generate.GenerateImages;
import dev.cdm.transforms.generate.GenerateImagesFn;
import dev.cdm.transforms.generate.GeneratedImage;
import dev.cdm.transforms.generate.StoredNetwork;
import dev.cdm.transforms.generate.WriteImages;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;

/**
 * The evaluation of each snapshot that arrives, the same in a bounded pipeline (the snapshots
 * present) and in a streaming one ({@code --watch}): each snapshot gets its own window, so its
 * scores and its result are kept apart from whatever else is in flight.
 *
 * <pre>
 *   Snapshot → window of its own (SnapshotWindow)
 *     ├→ seed batches (0 .. num*repeats-1, and 0..63 for the grid)
 *     │    → GenerateImages (reshuffle; the window's network, loaded once per worker slot per snapshot)
 *     │        ├→ ScoreSamples (detector → moments, IS sums, KID sample → per repeat, once its num
 *     │        │                images are counted → FID, IS, KID) ──────────────────────────────┐
 *     │        ├→ each extra metric (its grouping fires when all the samples are in) ──────────┤
 *     │        ├→ WriteGrid (seeds 0..63 → grids/&lt;snapshot&gt;.png, once the 64 are in) ──────────┤
 *     │        ├→ "failed" (a worker could not load the network) ──────────────────────────────┤
 *     │        └→ [--save-images] WriteImages (images/&lt;snapshot&gt;/{seed:06d}.png)            │
 *     └→ "start" (wall time) ──────────────────────────────────────────────────────────────┤
 *                                                   Flatten → one key, state per window
 *                                                   → RecordResultFn (results.jsonl, report.html)
 * </pre>
 *
 * Every step that gathers decides from counts when a snapshot's part is complete, and the end of
 * the window (the watermark) only records what never completes: a streaming pipeline therefore
 * records each snapshot as soon as its last sample is scored, also on runners where the watermark
 * stalls while the watch polls (the Flink runner, see docs/evaluate.md).
 *
 * <p>Outputs the names of the snapshots recorded (in results.jsonl or, failed, in failures.jsonl).
 */
final class EvaluateSnapshots extends PTransform<PCollection<Snapshot>, PCollection<String>> {
  private static final long serialVersionUID = 1L;
  static final int GRID = 8;

  private final EvaluateJob job;
  private final boolean announce;

  /** {@code announce}: print each snapshot's summary line where its result is recorded. */
  EvaluateSnapshots(EvaluateJob job, boolean announce) {
    this.job = job;
    this.announce = announce;
  }

  @Override
  public PCollection<String> expand(PCollection<Snapshot> snapshots) {
    String outdir = job.outdir();
    String precision = job.precision();
    PCollection<Snapshot> windowed =
        snapshots.apply("OneWindowPerSnapshot", Window.into(new SnapshotWindows()));
    int images = EvaluatePipeline.seeds(job).size();
    PCollectionTuple generated =
        windowed
            .apply("SeedBatches", ParDo.of(new SeedBatchesFn(job)))
            .setCoder(ListCoder.of(VarLongCoder.of()))
            .apply(
                "Generate",
                GenerateImages.builder()
                    .setNetworkPerWindow(
                        w -> StoredNetwork.of(((SnapshotWindow) w).location(), precision))
                    .setSampler(job.sampler())
                    .setClassIdx(job.classIdx())
                    .setDevice(job.device())
                    .setProgressName("evaluate")
                    .setTotalImages(images)
                    .build()
                    .withFailures());
    PCollection<GeneratedImage> samples = generated.get(GenerateImagesFn.SAMPLES);
    List<PCollection<String>> lines = new ArrayList<>();
    lines.add(
        windowed.apply(
            "Start",
            MapElements.into(TypeDescriptors.strings())
                .via((Snapshot s) -> "start " + System.currentTimeMillis())));
    lines.add(
        generated
            .get(GenerateImagesFn.FAILURES)
            .apply(
                "FailureLines",
                MapElements.into(TypeDescriptors.strings()).via(f -> "failed " + f)));
    lines.add(
        samples
            .apply(
                "Score",
                ScoreSamples.builder()
                    .setDetector(job.detector())
                    .setDevice(job.detectorDevice())
                    .setMaxBatch(job.batch())
                    .setNum(job.num())
                    .setRepeats(job.repeats())
                    .setKidImages(job.kidImages())
                    .setRef(job.ref())
                    .build())
            .apply(
                "ScoreLines",
                MapElements.into(TypeDescriptors.strings())
                    .via((RepeatScores r) -> "scores " + r.toLine())));
    if (!job.extraMetrics().isEmpty()) {
      // A metric's grouping fires as soon as it holds one element per sample (and again, with
      // all it has, for every further multiple and at the end of the window), so that a metric
      // that groups one value per sample does not wait for the watermark either; the row keeps
      // the value of the latest pane.
      PCollection<GeneratedImage> all =
          samples.apply(
              "WhenAllSamplesAreIn",
              Window.<GeneratedImage>configure()
                  .triggering(
                      AfterWatermark.pastEndOfWindow()
                          .withEarlyFirings(AfterPane.elementCountAtLeast(images)))
                  .withAllowedLateness(Duration.ZERO)
                  .withOnTimeBehavior(Window.OnTimeBehavior.FIRE_IF_NON_EMPTY)
                  .accumulatingFiredPanes());
      for (int i = 0; i < job.extraMetrics().size(); i++) {
        lines.add(
            all.apply("Metric" + i, job.extraMetrics().get(i).transform())
                .apply("MetricLines" + i, ParDo.of(new MetricLineFn(i)))
                .setCoder(StringUtf8Coder.of())
                .apply(
                    "MetricLinesTrigger" + i,
                    Window.<String>configure()
                        .triggering(DefaultTrigger.of())
                        .withAllowedLateness(Duration.ZERO)
                        .discardingFiredPanes()));
      }
    }
    lines.add(
        samples
            .apply(
                "Grid",
                WriteGrid.perWindow(
                    w -> RunFiles.resolve(outdir, ResultRow.gridName(((SnapshotWindow) w).name())),
                    GRID,
                    GRID))
            .apply("GridLines", MapElements.into(TypeDescriptors.strings()).via(f -> "grid " + f)));
    if (job.saveImages()) {
      samples.apply(
          "SaveImages",
          WriteImages.perWindow(
              w ->
                  RunFiles.resolve(RunFiles.resolve(outdir, "images"), ((SnapshotWindow) w).stem()),
              false));
    }
    return PCollectionList.of(lines)
        .apply("AllLines", Flatten.pCollections())
        .setCoder(StringUtf8Coder.of())
        .apply("OneKey", WithKeys.<Integer, String>of(0).withKeyType(TypeDescriptors.integers()))
        .apply("Record", ParDo.of(new RecordResultFn(job, announce)))
        .setCoder(StringUtf8Coder.of());
  }

  /** A value of extra metric number {@code index}, from its pane number {@code pane}. */
  static String metricLine(int index, long pane, KV<String, Double> kv) {
    if (!kv.getKey().matches("[A-Za-z0-9_./-]+")) {
      throw new IllegalArgumentException(
          "metric name '" + kv.getKey() + "': use letters, digits and _ . / - only");
    }
    return "metric "
        + index
        + " "
        + pane
        + " "
        + kv.getKey()
        + " "
        + Double.toHexString(kv.getValue());
  }

  /** The values of one extra metric as lines, with the pane they come from (the latest wins). */
  static final class MetricLineFn extends DoFn<KV<String, Double>, String> {
    private static final long serialVersionUID = 1L;
    private final int index;

    MetricLineFn(int index) {
      this.index = index;
    }

    @ProcessElement
    public void process(@Element KV<String, Double> kv, PaneInfo pane, OutputReceiver<String> out) {
      out.output(metricLine(index, pane.getIndex(), kv));
    }
  }

  /** A snapshot to the seed batches of its evaluation (the repeats' and the grid's seeds). */
  static final class SeedBatchesFn extends DoFn<Snapshot, List<Long>> {
    private static final long serialVersionUID = 1L;
    private final EvaluateJob job;
    private transient List<List<Long>> batches;

    SeedBatchesFn(EvaluateJob job) {
      this.job = job;
    }

    @Setup
    public void setup() {
      batches = SeedList.batches(EvaluatePipeline.seeds(job), job.batch());
    }

    @ProcessElement
    public void process(OutputReceiver<List<Long>> out) {
      for (List<Long> b : batches) {
        out.output(b);
      }
    }
  }
}

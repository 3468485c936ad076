package dev.cdm.pipelines.evaluate;

import dev.cdm.model.sampling.SeedList;
import dev.cdm.transforms.evaluate.RepeatScores;
import dev.cdm.transforms.evaluate.ScoreSamples;
import dev.cdm.transforms.evaluate.WriteGrid;
import dev.cdm.transforms.io.AtomicFiles;
import dev.cdm.transforms.generate.GenerateImages;
import dev.cdm.transforms.generate.GeneratedImage;
import dev.cdm.transforms.generate.NetworkFactory;
import dev.cdm.transforms.generate.WriteImages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * The evaluation of one snapshot: samples stream from the generator into the detector (no PNG
 * round trip), and the grid seeds also into an 8x8 grid.
 *
 * <pre>
 *   Create(seed batches: 0 .. num*repeats-1, and 0..63 for the grid)
 *     → GenerateImages (reshuffle, network loaded once per worker slot on its device, sample)
 *         ├→ ScoreSamples (detector → moments, IS sums, KID sample → per repeat → FID, IS, KID) ─┐
 *         ├→ each extra metric (named values) ───────────────────────────────────────────────┤
 *         │                                                             Flatten → one text file (scores)
 *         ├→ WriteGrid (seeds 0..63 → grids/&lt;snapshot&gt;.png)
 *         └→ [--save-images] WriteImages (images/&lt;snapshot&gt;/{seed:06d}.png)
 * </pre>
 */
public final class EvaluatePipeline {
  static final int GRID = 8;

  private EvaluatePipeline() {}

  /** The seeds of one snapshot's evaluation: the repeats' and the grid's. */
  static List<Long> seeds(EvaluateJob job) {
    TreeSet<Long> seeds = new TreeSet<>();
    for (long s = 0; s < (long) job.num() * job.repeats(); s++) {
      seeds.add(s);
    }
    for (long s = 0; s < GRID * GRID; s++) {
      seeds.add(s);
    }
    return new ArrayList<>(seeds);
  }

  /** Adds the evaluation of {@code snapshot} to {@code p}; the scores go to {@code scoresFile}. */
  static void build(Pipeline p, EvaluateJob job, Snapshot snapshot, String scoresFile,
      String gridFile) {
    List<Long> seeds = seeds(job);
    List<List<Long>> batches = new ArrayList<>();
    for (long[] b : SeedList.batches(seeds, job.batch())) {
      List<Long> l = new ArrayList<>(b.length);
      for (long s : b) {
        l.add(s);
      }
      batches.add(l);
    }
    PCollection<GeneratedImage> samples = p
        .apply("SeedBatches", Create.of(batches).withCoder(ListCoder.of(VarLongCoder.of())))
        .apply("Generate", GenerateImages.builder()
            .network(NetworkFactory.of(snapshot.location(), job.precision()))
            .sampler(job.sampler())
            .classIdx(job.classIdx())
            .device(job.device())
            .progressName(snapshot.name())
            .totalImages(seeds.size())
            .build());
    PCollection<String> scores = samples
        .apply("Score", ScoreSamples.builder()
            .detector(job.detector())
            .device(job.detectorDevice())
            .maxBatch(job.batch())
            .num(job.num())
            .repeats(job.repeats())
            .kidImages(job.kidImages())
            .ref(job.ref())
            .build())
        .apply("ScoreLines", MapElements.into(TypeDescriptors.strings())
            .via((RepeatScores r) -> "scores " + r.toLine()));
    List<PCollection<String>> lines = new ArrayList<>();
    lines.add(scores);
    int i = 0;
    for (EvaluateJob.ExtraMetric metric : job.extraMetrics()) {
      lines.add(samples
          .apply("Metric" + i, metric.transform())
          .apply("MetricLines" + i++, MapElements.into(TypeDescriptors.strings())
              .via((KV<String, Double> kv) -> metricLine(kv))));
    }
    PCollectionList.of(lines).apply("AllScores", Flatten.pCollections())
        .setCoder(StringUtf8Coder.of())
        .apply("OneKey", WithKeys.<Integer, String>of(0).withKeyType(TypeDescriptors.integers()))
        .apply("Gather", GroupByKey.create())
        .apply("WriteScores", ParDo.of(new WriteLinesFn(scoresFile)));
    samples.apply("Grid", new WriteGrid(gridFile, GRID, GRID));
    if (job.saveImages()) {
      samples.apply("SaveImages", new WriteImages(
          RunFiles.resolve(RunFiles.resolve(job.outdir(), "images"), snapshot.stem()), false));
    }
  }

  static String metricLine(KV<String, Double> kv) {
    if (!kv.getKey().matches("[A-Za-z0-9_./-]+")) {
      throw new IllegalArgumentException("metric name '" + kv.getKey()
          + "': use letters, digits and _ . / - only");
    }
    return "metric " + kv.getKey() + " " + Double.toHexString(kv.getValue());
  }

  /** Writes the gathered lines to one file, atomically. */
  static final class WriteLinesFn extends DoFn<KV<Integer, Iterable<String>>, Void> {
    private final String file;

    WriteLinesFn(String file) {
      this.file = file;
    }

    @ProcessElement
    public void process(@Element KV<Integer, Iterable<String>> in) throws IOException {
      StringBuilder text = new StringBuilder();
      for (String line : in.getValue()) {
        text.append(line).append('\n');
      }
      AtomicFiles.write(file, text.toString().getBytes(StandardCharsets.UTF_8));
    }
  }
}

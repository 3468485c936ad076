package dev.cdm.transforms.fid;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cdm.fid.FeatureMoments;
import dev.cdm.fid.FrechetDistance;
import dev.cdm.fid.GaussianStatistics;
import dev.cdm.fid.ImageSubsets;
import dev.cdm.model.io.NpzFile;
import dev.cdm.transforms.BeamCounters;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExtractStatisticsTest {
  @TempDir static Path tmp;

  private static PCollection<KV<Integer, FeatureMoments>> statistics(
      Pipeline p, Path data, int[][] subsets, int batch) {
    return p.apply(
            ReadImageBatches.builder()
                .setPath(data.toString())
                .setSubsets(subsets)
                .setBatchSize(batch)
                .build())
        .apply(
            ExtractStatistics.builder()
                .setDetector(FixtureImages.resource("tiny-detector.pt").toString())
                .setDevice("cpu")
                .setMaxBatch(64)
                .build());
  }

  /** Checks a single group 0 against the fixture's muB/sigmaB and fid_B_vs_A. */
  static final class MatchesReferenceB
      implements SerializableFunction<Iterable<KV<Integer, FeatureMoments>>, Void> {
    @Override
    public Void apply(Iterable<KV<Integer, FeatureMoments>> all) {
      try {
        List<KV<Integer, FeatureMoments>> list = new ArrayList<>();
        all.forEach(list::add);
        assertEquals(1, list.size());
        assertEquals(600, list.get(0).getValue().count());
        GaussianStatistics b = list.get(0).getValue().toStatistics();
        NpzFile fx = FixtureImages.fidCase();
        double[] mu = fx.get("muB").toDoubles();
        double[] sigma = fx.get("sigmaB").toDoubles();
        for (int i = 0; i < mu.length; i++) {
          assertEquals(mu[i], b.mu()[i], 1e-6);
        }
        for (int i = 0; i < sigma.length; i++) {
          assertEquals(sigma[i], b.sigma()[i], 1e-7);
        }
        GaussianStatistics a = GaussianStatistics.read(FixtureImages.resource("fid-refA.npz"));
        double expected = fx.get("fid_B_vs_A").toDoubles()[0];
        assertEquals(expected, FrechetDistance.between(b, a), 1e-4 * expected);
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
      return null;
    }
  }

  @Test
  void zipOnDirectRunnerMatchesReference() throws IOException {
    Path zip = FixtureImages.zip("imagesB", 600, tmp.resolve("b.zip"));
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
    // Batches of 50 decode in parallel; the detector sees them as they come.
    PAssert.that(statistics(p, zip, ImageSubsets.disjoint(600, 600, 1, 0), 50))
        .satisfies(new MatchesReferenceB());
    p.run().waitUntilFinish();
  }

  @Test
  void repeatsGiveOneStatisticPerDisjointSubset() throws IOException {
    Path dir = FixtureImages.folder("imagesA", 90, tmp.resolve("a-dir"));
    int[][] subsets = ImageSubsets.disjoint(90, 30, 3, 1);
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
    PAssert.that(statistics(p, dir, subsets, 16))
        .satisfies(
            all -> {
              List<Integer> groups = new ArrayList<>();
              for (KV<Integer, FeatureMoments> kv : all) {
                groups.add(kv.getKey());
                assertEquals(30, kv.getValue().count());
                assertEquals(64, kv.getValue().dim());
              }
              groups.sort(null);
              assertEquals(List.of(0, 1, 2), groups);
              return null;
            });
    PipelineResult result = p.run();
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    // The Beam counters a runner's UI shows: images scored, their pixel bytes (32x32 gray), no
    // failed detector batch.
    Map<String, Long> counters = BeamCounters.of(result);
    assertEquals(90L, counters.get("fid.images"), counters.toString());
    assertEquals(90L * 32 * 32, counters.get("fid.bytes"), counters.toString());
    assertEquals(0L, counters.getOrDefault("fid.failures", 0L), counters.toString());
  }

  @Test
  @Tag("slow")
  void folderOnFlinkEmbeddedMatchesReference() throws IOException {
    Path dir = FixtureImages.folder("imagesB", 600, tmp.resolve("b-dir"));
    PipelineOptions opts = PipelineOptionsFactory.create();
    FlinkPipelineOptions flink = opts.as(FlinkPipelineOptions.class);
    flink.setRunner(FlinkRunner.class);
    flink.setFlinkMaster("[local]");
    flink.setParallelism(2);
    Pipeline p = Pipeline.create(opts);
    PAssert.that(statistics(p, dir, ImageSubsets.disjoint(600, 600, 1, 0), 64))
        .satisfies(new MatchesReferenceB());
    p.run().waitUntilFinish();
  }
}

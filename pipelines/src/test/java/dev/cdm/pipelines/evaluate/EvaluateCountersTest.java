package dev.cdm.pipelines.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cdm.model.sampling.SamplerSpec;
import dev.cdm.transforms.BeamCounters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Beam counters of an evaluation, as a runner's UI shows them: samples made and scored,
 * snapshots recorded, and a snapshot that cannot be loaded counted as failed.
 */
class EvaluateCountersTest {
  @Test
  void countsSamplesScoredAndSnapshotsRecordedOrFailed(@TempDir Path tmp) throws Exception {
    Path run = tmp.resolve("run");
    Files.createDirectories(run);
    Files.copy(
        EvaluateCommandTest.fixture("ddpmpp-cdm-gray.pkl"),
        run.resolve("network-snapshot-000000.pkl"));
    Files.writeString(run.resolve("network-snapshot-000004.pkl"), "not a pickle");
    EvaluateJob job =
        EvaluateJob.builder()
            .snapshots(run.toString())
            .ref(EvaluateCommandTest.fixture("fid-refA.npz").toString())
            .outdir(run.toString())
            .num(48)
            .repeats(1)
            .batch(16)
            .kidImages(0)
            .sampler(SamplerSpec.builder().numSteps(2).build())
            .detector(EvaluateCommandTest.fixture("tiny-detector.pt").toString())
            .pipelineArgs(List.of("--runner=DirectRunner", "--targetParallelism=2"))
            .build();
    Pipeline p = EvaluatePipeline.once(job, RunFiles.snapshots(run.toString()), false);
    PipelineResult result = p.run();
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());

    Map<String, Long> counters = BeamCounters.of(result);
    // Seeds 0-63: the 48 scored samples and the 8x8 grid's, of the one loadable snapshot.
    assertEquals(64L, counters.get("generate.images"), counters.toString());
    assertEquals(48L, counters.get("evaluate.images"), counters.toString());
    assertEquals(1L, counters.get("evaluate.snapshots"), counters.toString());
    assertEquals(1L, counters.get("evaluate.failedSnapshots"), counters.toString());
    // Each sampler instance that meets the broken snapshot reports it once.
    assertTrue(counters.getOrDefault("generate.failures", 0L) >= 1, counters.toString());
    assertEquals(0L, counters.getOrDefault("evaluate.failures", 0L), counters.toString());
    assertEquals(1, ResultsLog.failures(run.toString()).rows().size());
  }

  /** {@code cdm evaluate} sums the counters of its pipelines (one per snapshot) into one line. */
  @Test
  void theCommandEndsWithOneLineOfItsCounters(@TempDir Path tmp) throws Exception {
    Path run = tmp.resolve("run");
    Files.createDirectories(run);
    for (String kimg : List.of("000000", "000001")) {
      Files.copy(
          EvaluateCommandTest.fixture("ddpmpp-cdm-gray.pkl"),
          run.resolve("network-snapshot-" + kimg + ".pkl"));
    }
    Object[] r =
        EvaluateCommandTest.cdm(
            EvaluateCommandTest.common(
                run, EvaluateCommandTest.fixture("fid-refA.npz"), "--repeats=1", "--kid-images=0"));
    assertEquals(0, r[0], (String) r[1]);
    // Per snapshot: seeds 0-63 generated, scored, and shown in the 8x8 grid.
    dev.cdm.pipelines.CountersLineTest.assertOneCountersLine(
        (String) r[1],
        "counters: evaluate\\.images=128 evaluate\\.snapshots=2 generate\\.images=128");
  }
}

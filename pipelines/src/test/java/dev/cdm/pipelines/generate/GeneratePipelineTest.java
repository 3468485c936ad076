package dev.cdm.pipelines.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.cdm.model.sampling.SamplerSpec;
import dev.cdm.model.sampling.SeedImages;
import dev.cdm.model.sampling.SeedList;
import dev.cdm.transforms.generate.ImagePaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GeneratePipelineTest {
  static final SamplerSpec CHURN =
      SamplerSpec.builder().numSteps(6).sChurn(40).sMin(0.05).sMax(50).sNoise(1.003).build();

  private static void run(GenerateJob job, String... beamArgs) throws Exception {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs(beamArgs).create());
    GeneratePipeline.build(p, job);
    assertEquals(PipelineResult.State.DONE, p.run().waitUntilFinish());
  }

  private static List<Path> files(Path dir) throws Exception {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
    }
  }

  /** Each image equals the one made for its seed alone: batches do not mix streams. */
  private static void assertImagesMatchSingleSeedRuns(
      Path outdir, GaussianNetwork net, List<Long> seeds, boolean subdirs) throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      var d = net.load(m);
      for (long seed : seeds) {
        byte[] expected = SeedImages.sampleHwcBytes(d, CHURN.toSampler(), m, new long[] {seed}, -1);
        Path f = outdir.resolve(ImagePaths.relative(seed, subdirs));
        int[] hwc = new int[3];
        byte[] actual = decodeHwc(Files.readAllBytes(f), hwc);
        assertArrayEquals(new int[] {8, 8, net.channels}, hwc);
        assertArrayEquals(expected, actual, "seed " + seed);
      }
    }
  }

  @Test
  void directRunnerWritesOneImagePerSeedAndRerunsOverwrite(@TempDir Path tmp) throws Exception {
    GaussianNetwork net = new GaussianNetwork(3, 10);
    List<Long> seeds = SeedList.parse("0-6,998-1001");
    GenerateJob job =
        GenerateJob.builder()
            .network(net)
            .outdir(tmp.toString())
            .seeds(seeds)
            .subdirs(true)
            .batch(4)
            .sampler(CHURN)
            .build();
    run(job, "--runner=DirectRunner");
    List<Path> first = files(tmp);
    assertEquals(seeds.size(), first.size(), first.toString());
    assertTrue(Files.isRegularFile(tmp.resolve("000000/000998.png")));
    assertTrue(Files.isRegularFile(tmp.resolve("001000/001001.png")));
    assertImagesMatchSingleSeedRuns(tmp, net, seeds, true);

    // A rerun over the same seeds overwrites: still exactly one file per seed, no temporaries.
    run(job, "--runner=DirectRunner");
    assertEquals(first, files(tmp));
    assertImagesMatchSingleSeedRuns(tmp, net, seeds, true);

    // --resume after a lost image regenerates just that one.
    Files.delete(tmp.resolve("000000/000003.png"));
    GenerateJob resume = job.toBuilder().resume(true).build();
    assertEquals(List.of(3L), GeneratePipeline.pendingSeeds(resume));
    run(resume, "--runner=DirectRunner");
    assertEquals(first, files(tmp));
    assertImagesMatchSingleSeedRuns(tmp, net, List.of(3L), true);
  }

  /** The Beam counters a runner's UI shows: images sampled, PNGs and bytes written, no failures. */
  @Test
  void countsImagesBytesAndFailures(@TempDir Path tmp) throws Exception {
    GaussianNetwork net = new GaussianNetwork(3, 0);
    List<Long> seeds = SeedList.parse("0-4");
    GenerateJob job =
        GenerateJob.builder()
            .network(net)
            .outdir(tmp.toString())
            .seeds(seeds)
            .batch(2)
            .sampler(CHURN)
            .build();
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
    GeneratePipeline.build(p, job);
    PipelineResult result = p.run();
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    java.util.Map<String, Long> counters = dev.cdm.transforms.BeamCounters.of(result);
    long bytes = 0;
    for (Path f : files(tmp)) {
      bytes += Files.size(f);
    }
    assertEquals(5L, counters.get("generate.images"), counters.toString());
    assertEquals(5L, counters.get("write.images"), counters.toString());
    assertEquals(bytes, counters.get("write.bytes"), counters.toString());
    assertEquals(0L, counters.getOrDefault("generate.failures", 0L));
    assertEquals(0L, counters.getOrDefault("write.failures", 0L));
  }

  @Test
  void forcedClassChangesImagesButNotLatents(@TempDir Path tmp) throws Exception {
    GaussianNetwork net = new GaussianNetwork(1, 10);
    try (NDManager m = NDManager.newBaseManager()) {
      var d = net.load(m);
      byte[] random = SeedImages.sampleHwcBytes(d, CHURN.toSampler(), m, new long[] {5}, -1);
      byte[] c9 = SeedImages.sampleHwcBytes(d, CHURN.toSampler(), m, new long[] {5}, 9);
      assertTrue(!java.util.Arrays.equals(random, c9));
    }
  }

  @Test
  @Tag("slow")
  void flinkEmbeddedRunnerWritesTheSameImages(@TempDir Path tmp) throws Exception {
    GaussianNetwork net = new GaussianNetwork(1, 0);
    List<Long> seeds = SeedList.parse("10-17");
    GenerateJob job =
        GenerateJob.builder()
            .network(net)
            .outdir(tmp.toString())
            .seeds(seeds)
            .batch(3)
            .sampler(CHURN)
            .build();
    run(job, "--runner=FlinkRunner", "--flinkMaster=[local]", "--parallelism=2");
    assertEquals(seeds.size(), files(tmp).size());
    assertImagesMatchSingleSeedRuns(tmp, net, seeds, false);
  }

  /**
   * {@link GaussianNetwork} whose every denoiser call takes {@link #CALL_MS} (a sleep: a stand-in
   * for a GPU batch) and is logged with its calling thread (worker slot) and end time.
   */
  static final class TimedNetwork implements dev.cdm.transforms.generate.DenoiserFactory {
    private static final long serialVersionUID = 1L;
    static final long CALL_MS = 25;
    static final java.util.Map<String, long[]> CALLS =
        new java.util.concurrent.ConcurrentHashMap<>();
    private final GaussianNetwork inner = new GaussianNetwork(1, 0);

    @Override
    public dev.cdm.model.precond.Denoiser load(NDManager manager) {
      return new dev.cdm.model.precond.ForwardingDenoiser(inner.load(manager)) {
        @Override
        public ai.djl.ndarray.NDArray denoise(
            ai.djl.ndarray.NDArray x,
            ai.djl.ndarray.NDArray sigma,
            ai.djl.ndarray.NDArray classLabels,
            ai.djl.ndarray.NDArray augmentLabels) {
          try {
            Thread.sleep(CALL_MS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          long[] c =
              CALLS.computeIfAbsent(
                  Thread.currentThread().getName() + "#" + Thread.currentThread().getId(),
                  k -> new long[2]);
          synchronized (c) {
            c[0]++;
            c[1] = System.nanoTime();
          }
          return super.denoise(x, sigma, classLabels, augmentLabels);
        }
      };
    }
  }

  /**
   * On Flink with two slots, the slots finish within about one batch of each other, whenever each
   * one starts: a slot takes the next batch when it is done with one. (With a random-key reshuffle
   * one slot often got two or more batches more and the job ended on it alone; with one split per
   * slot, a slot that started late did too.) 16 batches of 5 denoiser calls, 125 ms each.
   */
  @Test
  @Tag("slow")
  void flinkSlotsTakeBatchesAsTheyFinishAndEndTogether(@TempDir Path tmp) throws Exception {
    TimedNetwork.CALLS.clear();
    List<Long> seeds = SeedList.parse("0-31");
    GenerateJob job =
        GenerateJob.builder()
            .network(new TimedNetwork())
            .outdir(tmp.toString())
            .seeds(seeds)
            .batch(2)
            .sampler(SamplerSpec.builder().numSteps(3).build()) // 5 denoiser calls per batch
            .build();
    run(job, "--runner=FlinkRunner", "--flinkMaster=[local]", "--parallelism=2");
    assertEquals(seeds.size(), files(tmp).size());
    java.util.Map<String, long[]> perSlot = new java.util.TreeMap<>(TimedNetwork.CALLS);
    StringBuilder seen = new StringBuilder();
    perSlot.forEach((k, v) -> seen.append(k).append(": ").append(v[0]).append(" calls\n"));
    assertEquals(2, perSlot.size(), "two sampling slots:\n" + seen);
    long[][] slots = perSlot.values().toArray(new long[0][]);
    assertEquals(16 * 5, slots[0][0] + slots[1][0], seen.toString());
    double batchMs = 5 * TimedNetwork.CALL_MS;
    double apartMs = Math.abs(slots[0][1] - slots[1][1]) / 1e6;
    assertTrue(
        apartMs <= 1.5 * batchMs,
        "the slots ended " + apartMs + " ms apart (one batch: " + batchMs + " ms)\n" + seen);
  }

  /** A network whose loading (on the worker, in the DoFn's setup) throws an Error. */
  static final class UnloadableNetwork implements dev.cdm.transforms.generate.DenoiserFactory {
    private static final long serialVersionUID = 1L;

    @Override
    public dev.cdm.model.precond.Denoiser load(NDManager manager) {
      throw new NoClassDefFoundError("dev/cdm/model/Missing");
    }
  }

  /**
   * A worker that throws an Error fails cdm generate's pipeline at once, naming the step, on the
   * DirectRunner and on the embedded Flink runner.
   */
  @Test
  @Tag("slow")
  void anErrorInTheWorkersFailsTheJobNamingTheStep(@TempDir Path tmp) throws Exception {
    GenerateJob job =
        GenerateJob.builder()
            .network(new UnloadableNetwork())
            .outdir(tmp.toString())
            .seeds(SeedList.parse("0-5"))
            .batch(2)
            .sampler(CHURN)
            .build();
    for (String[] args :
        List.of(
            new String[] {"--runner=DirectRunner"},
            new String[] {"--runner=FlinkRunner", "--flinkMaster=[local]", "--parallelism=2"})) {
      Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs(args).create());
      GeneratePipeline.build(p, job);
      dev.cdm.pipelines.PipelineRuns.Failed e =
          org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
              java.time.Duration.ofSeconds(120),
              () ->
                  org.junit.jupiter.api.Assertions.assertThrows(
                      dev.cdm.pipelines.PipelineRuns.Failed.class,
                      () -> dev.cdm.pipelines.PipelineRuns.runToEnd(p, "the generate pipeline")));
      assertEquals(
          "the generate pipeline failed in step Generate/Sample: class dev.cdm.model.Missing not"
              + " found (NoClassDefFoundError; is a jar missing from the classpath, e.g. of the"
              + " Flink workers? see --filesToStage)",
          dev.cdm.pipelines.CommandErrors.message(e),
          args[0]);
      assertEquals(List.of(), files(tmp), "no images");
    }
  }

  /** The pixels of a PNG ([H, W, C] bytes), its shape into {@code hwc}. */
  private static byte[] decodeHwc(byte[] png, int[] hwc) throws Exception {
    dev.cdm.model.data.Pixels p = dev.cdm.model.data.PngCodec.decode(png, "png");
    hwc[0] = p.height();
    hwc[1] = p.width();
    hwc[2] = p.channels();
    return p.data();
  }
}

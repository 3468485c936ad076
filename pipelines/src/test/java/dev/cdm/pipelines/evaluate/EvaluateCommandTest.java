package dev.cdm.pipelines.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.cdm.model.data.PngCodec;
import dev.cdm.pipelines.Cdm;
import dev.cdm.pipelines.fid.FidResults;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cdm evaluate} on tiny snapshots (the reference fixtures' networks, 16x16) with the tiny
 * detector, on the CPU: scores, repeats, IS, KID, grids, report, restart, watching a run.
 */
class EvaluateCommandTest {
  static Path fixture(String name) throws Exception {
    return Paths.get(EvaluateCommandTest.class.getResource("/fixtures/" + name).toURI());
  }

  /** Runs the CLI in-process; {stdout+stderr, exit code}. */
  static Object[] cdm(String... args) {
    PrintStream err = System.err;
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
    try {
      int code = Cdm.commandLine().execute(args);
      return new Object[] {code, e.toString(StandardCharsets.UTF_8)};
    } finally {
      System.setErr(err);
      err.print(e.toString(StandardCharsets.UTF_8));
    }
  }

  static String[] common(Path run, Path ref, String... more) throws Exception {
    List<String> a =
        new java.util.ArrayList<>(
            List.of(
                "evaluate",
                "--snapshots=" + run,
                "--ref=" + ref,
                "--detector=" + fixture("tiny-detector.pt"),
                "--steps=2",
                "--batch=16",
                "--num=64",
                "--kid-images=10",
                "--targetParallelism=2"));
    for (String m : more) {
      // A flag given in {@code more} replaces the default above.
      a.removeIf(
          x ->
              x.contains("=")
                  && m.contains("=")
                  && x.substring(0, x.indexOf('=')).equals(m.substring(0, m.indexOf('='))));
      a.add(m);
    }
    return a.toArray(new String[0]);
  }

  /** The reference statistics of the fixture, plus a feature sample for KID. */
  static Path refWithFeatures(Path tmp) throws Exception {
    Path ref = tmp.resolve("ref.npz");
    java.util.Map<String, dev.cdm.model.io.NpyArray> arrays =
        new java.util.LinkedHashMap<>(
            dev.cdm.model.io.NpzFile.read(fixture("fid-case.npz")).arrays());
    java.util.Map<String, dev.cdm.model.io.NpyArray> out = new java.util.LinkedHashMap<>();
    out.put("mu", dev.cdm.model.io.NpzFile.read(fixture("fid-refA.npz")).get("mu"));
    out.put("sigma", dev.cdm.model.io.NpzFile.read(fixture("fid-refA.npz")).get("sigma"));
    out.put("features", arrays.get("featuresA"));
    dev.cdm.model.io.NpzFile.write(ref, out);
    return ref;
  }

  static List<JsonObject> rows(Path outdir) throws Exception {
    return new ResultsLog(outdir.toString()).rows();
  }

  @Tag("slow")
  @Test
  void evaluatesEachSnapshotOnceWithRepeatsIsKidGridsAndReport(@TempDir Path tmp) throws Exception {
    Path run = tmp.resolve("run");
    Files.createDirectories(run);
    Files.copy(fixture("ddpmpp-cdm-gray.pkl"), run.resolve("network-snapshot-000000.pkl"));
    Files.copy(fixture("ncsnpp-ve-uncond.pkl"), run.resolve("network-snapshot-000004.pkl"));
    Files.writeString(run.resolve("network-snapshot-000008.pkl.part"), "half written");
    Path ref = refWithFeatures(tmp);
    Object[] r = cdm(common(run, ref, "--repeats=2"));
    assertEquals(0, r[0], (String) r[1]);
    List<JsonObject> rows = rows(run);
    assertEquals(2, rows.size());
    for (int i = 0; i < 2; i++) {
      JsonObject row = rows.get(i);
      assertEquals(i * 4, row.get("kimg").getAsLong());
      assertEquals(2, row.getAsJsonArray("fid").size());
      double f0 = row.getAsJsonArray("fid").get(0).getAsDouble();
      double f1 = row.getAsJsonArray("fid").get(1).getAsDouble();
      assertNotEquals(f0, f1, "the repeats use different seeds");
      assertEquals(Math.min(f0, f1), row.get("fid_min").getAsDouble());
      assertEquals((f0 + f1) / 2, row.get("fid_mean").getAsDouble(), 1e-12);
      assertEquals(Math.abs(f0 - f1) / 2, row.get("fid_std").getAsDouble(), 1e-12);
      // The tiny detector's softmax output over 64 classes: IS just above 1, KID defined.
      assertTrue(row.get("is_mean").getAsDouble() > 1, row.toString());
      assertEquals(2, row.getAsJsonArray("is").size());
      assertTrue(Double.isFinite(row.get("kid_mean").getAsDouble()), row.toString());
      assertEquals(128, row.get("images").getAsLong()); // 2 repeats x --num=64
      assertEquals(2, row.getAsJsonObject("sampler").get("steps").getAsInt());
      // The grid: 8x8 cells of 16x16 samples, one file per snapshot, named in the report.
      Path grid = run.resolve(row.get("grid").getAsString());
      int[] hwc = new int[3];
      PngCodec.decode(Files.readAllBytes(grid), hwc);
      assertEquals(128, hwc[0]);
      assertEquals(128, hwc[1]);
      assertTrue(
          Files.readString(run.resolve("report.html")).contains(row.get("grid").getAsString()));
    }
    assertNotEquals(
        rows.get(0).get("fid_mean").getAsDouble(), rows.get(1).get("fid_mean").getAsDouble());
    assertTrue(Files.size(run.resolve("report-fid.png")) > 1000);
    assertTrue(((String) r[1]).contains("network-snapshot-000004.pkl kimg 4: FID"), (String) r[1]);
    assertFalse(Files.list(run).anyMatch(p -> p.getFileName().toString().endsWith(".scores.txt")));

    // A restart finds both in results.jsonl and evaluates nothing.
    String before = Files.readString(run.resolve("results.jsonl"));
    Object[] again = cdm(common(run, ref, "--repeats=2"));
    assertEquals(0, again[0], (String) again[1]);
    assertTrue(((String) again[1]).contains("Skipping 2 snapshots"), (String) again[1]);
    assertTrue(((String) again[1]).contains("Evaluated 0 snapshots"), (String) again[1]);
    assertEquals(before, Files.readString(run.resolve("results.jsonl")));
  }

  @Tag("slow")
  @Test
  void fidEqualsGenerateThenFidOnTheSameSeeds(@TempDir Path tmp) throws Exception {
    Path run = tmp.resolve("run");
    Files.createDirectories(run);
    Path net = run.resolve("network-snapshot-000002.pkl");
    Files.copy(fixture("ddpmpp-cdm-gray.pkl"), net);
    Path ref = fixture("fid-refA.npz");
    // Through the Java entry point, with an extra per-snapshot metric (the demo's hook).
    EvaluateJob job =
        EvaluateJob.builder()
            .snapshots(run.toString())
            .ref(ref.toString())
            .outdir(tmp.resolve("eval").toString())
            .num(64)
            .repeats(1)
            .batch(16)
            .sampler(dev.cdm.model.sampling.SamplerSpec.builder().numSteps(2).build())
            .detector(fixture("tiny-detector.pt").toString())
            .pipelineArgs(List.of("--targetParallelism=2"))
            .extraMetrics(List.of(new MeanPixel()))
            .build();
    StringBuilder log = new StringBuilder();
    SnapshotEvaluator evaluator = new SnapshotEvaluator(job, line -> log.append(line).append('\n'));
    JsonObject row = evaluator.evaluate(RunFiles.snapshots(run.toString()).get(0));
    assertEquals(row, rows(tmp.resolve("eval")).get(0));
    assertFalse(row.has("kid_mean"), "no features in --ref: KID skipped");
    assertTrue(log.toString().contains("KID skipped"), log.toString());
    double meanPixel = row.getAsJsonObject("metrics").get("mean_pixel").getAsDouble();
    assertTrue(meanPixel > 0 && meanPixel < 255, row.toString());
    assertTrue(log.toString().contains("mean_pixel"), log.toString());
    // The same 64 seeds (repeat 0 = seeds 0..63) through PNG files and cdm fid.
    Path images = tmp.resolve("images");
    Object[] g =
        cdm(
            "generate",
            "--network=" + net,
            "--outdir=" + images,
            "--seeds=0-63",
            "--steps=2",
            "--batch=16");
    assertEquals(0, g[0], (String) g[1]);
    Path res = tmp.resolve("fid.txt");
    Object[] f =
        cdm(
            "fid",
            "--images=" + images,
            "--ref=" + ref,
            "--num=64",
            "--detector=" + fixture("tiny-detector.pt"),
            "--device=cpu",
            "--results=" + res);
    assertEquals(0, f[0], (String) f[1]);
    double files = FidResults.read(res, 1).values()[0];
    assertEquals(files, row.getAsJsonArray("fid").get(0).getAsDouble(), 1e-5 * Math.abs(files));
    // The extra metric saw exactly the scored and grid samples (seeds 0..63): recompute it.
    double sum = 0;
    long n = 0;
    Path all = tmp.resolve("all");
    assertEquals(
        0,
        cdm(
            "generate",
            "--network=" + net,
            "--outdir=" + all,
            "--seeds=0-63",
            "--steps=2",
            "--batch=16")[0]);
    for (int seed = 0; seed < 64; seed++) {
      int[] hwc = new int[3];
      for (byte b :
          PngCodec.decode(Files.readAllBytes(all.resolve(String.format("%06d.png", seed))), hwc)) {
        sum += b & 0xff;
        n++;
      }
    }
    assertEquals(sum / n, meanPixel, 1e-9 * meanPixel);
  }

  /**
   * A stand-in for a classifier's accuracy: the mean pixel value of all samples, as the mean of one
   * value per sample (all samples have as many pixels), as {@link EvaluateJob.ExtraMetric} asks.
   */
  static final class MeanPixel implements EvaluateJob.ExtraMetric {
    @Override
    public org.apache.beam.sdk.transforms.PTransform<
            org.apache.beam.sdk.values.PCollection<dev.cdm.transforms.generate.GeneratedImage>,
            org.apache.beam.sdk.values.PCollection<org.apache.beam.sdk.values.KV<String, Double>>>
        transform() {
      return new org.apache.beam.sdk.transforms.PTransform<>() {
        @Override
        public org.apache.beam.sdk.values.PCollection<org.apache.beam.sdk.values.KV<String, Double>>
            expand(
                org.apache.beam.sdk.values.PCollection<dev.cdm.transforms.generate.GeneratedImage>
                    in) {
          return in.apply(
                  org.apache.beam.sdk.transforms.MapElements.into(
                          org.apache.beam.sdk.values.TypeDescriptors.doubles())
                      .via(
                          g -> {
                            double sum = 0;
                            for (byte b : g.pixels()) {
                              sum += b & 0xff;
                            }
                            return sum / g.pixels().length;
                          }))
              .apply(org.apache.beam.sdk.transforms.Mean.<Double>globally().withoutDefaults())
              .apply(org.apache.beam.sdk.transforms.WithKeys.of("mean_pixel"));
        }
      };
    }
  }

  @Tag("slow")
  @Test
  void watchPicksUpNewSnapshotsOnlyWhenCompleteAndStopsAtTheEndOfTraining(@TempDir Path tmp)
      throws Exception {
    Path run = tmp.resolve("run");
    Files.createDirectories(run);
    Files.copy(fixture("ddpmpp-cdm-gray.pkl"), run.resolve("network-snapshot-000000.pkl"));
    Path ref = fixture("fid-refA.npz");
    assertEquals(0, cdm(common(run, ref, "--repeats=1"))[0]);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<Object[]> watching =
          pool.submit(() -> cdm(common(run, ref, "--repeats=1", "--watch", "--poll=0.3")));
      // Our training loop's protocol: written under .part, renamed when complete.
      Path part = run.resolve("network-snapshot-000004.pkl.part");
      byte[] net = Files.readAllBytes(fixture("ncsnpp-ve-uncond.pkl"));
      Files.write(part, java.util.Arrays.copyOf(net, net.length / 2));
      Thread.sleep(1500);
      assertEquals(1, rows(run).size(), "a .part snapshot is not read");
      Files.write(part, net);
      Files.move(part, run.resolve("network-snapshot-000004.pkl"), StandardCopyOption.ATOMIC_MOVE);
      // A copy in progress under the final name: it grows between polls, so it waits.
      Path copying = run.resolve("network-snapshot-000008.pkl");
      byte[] other = Files.readAllBytes(fixture("ddpmpp-cdm-gray.pkl"));
      int chunks = 20;
      try (OutputStream out = Files.newOutputStream(copying, StandardOpenOption.CREATE_NEW)) {
        for (int c = 0; c < chunks; c++) {
          out.write(
              other,
              c * other.length / chunks,
              (c + 1) * other.length / chunks - c * other.length / chunks);
          out.flush();
          Thread.sleep(150);
        }
      }
      Files.writeString(run.resolve(RunFiles.DONE_MARKER), "{}");
      Object[] r = watching.get(300, TimeUnit.SECONDS);
      assertEquals(0, r[0], (String) r[1]);
      String log = (String) r[1];
      assertFalse(log.contains("failed"), log);
      assertTrue(log.contains("Skipping 1 snapshot"), log);
      assertTrue(log.contains("Training finished"), log);
      List<JsonObject> rows = rows(run);
      assertEquals(List.of(0L, 4L, 8L), rows.stream().map(o -> o.get("kimg").getAsLong()).toList());
      String html = Files.readString(run.resolve("report.html"));
      for (JsonObject row : rows) {
        assertTrue(html.contains(row.get("grid").getAsString()));
        assertTrue(Files.isRegularFile(run.resolve(row.get("grid").getAsString())));
      }
      // A restart of the watch finds every snapshot in results.jsonl and the end marker: it
      // evaluates nothing and ends by itself.
      String before = Files.readString(run.resolve("results.jsonl"));
      Object[] again = cdm(common(run, ref, "--repeats=1", "--watch", "--poll=0.3"));
      assertEquals(0, again[0], (String) again[1]);
      assertTrue(((String) again[1]).contains("Skipping 3 snapshots"), (String) again[1]);
      assertTrue(((String) again[1]).contains("Evaluated 0 snapshots"), (String) again[1]);
      assertEquals(before, Files.readString(run.resolve("results.jsonl")));
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Snapshots of a training with ticks of a fraction of a kimg ({@code
   * network-snapshot-000000.500}) are evaluated, once and with --watch, in kimg order;
   * results.jsonl keeps whole kimg integers.
   */
  @Tag("slow")
  @Test
  void decimalKimgSnapshotsAreEvaluatedOnceAndWatched(@TempDir Path tmp) throws Exception {
    Path run = tmp.resolve("run");
    Files.createDirectories(run);
    Files.copy(fixture("ddpmpp-cdm-gray.pkl"), run.resolve("network-snapshot-000001.pkl"));
    Files.copy(fixture("ddpmpp-cdm-gray.pkl"), run.resolve("network-snapshot-000000.500.pkl"));
    Files.writeString(run.resolve("network-snapshot-000001.500.pkl.part"), "half written");
    Path ref = fixture("fid-refA.npz");
    Path once = tmp.resolve("once");
    Object[] r = cdm(common(run, ref, "--repeats=1", "--outdir=" + once));
    assertEquals(0, r[0], (String) r[1]);
    assertTrue(
        ((String) r[1]).contains("network-snapshot-000000.500.pkl kimg 0.5: FID"), (String) r[1]);
    assertEquals(
        List.of("network-snapshot-000000.500.pkl", "network-snapshot-000001.pkl"),
        rows(once).stream().map(o -> o.get("snapshot").getAsString()).toList());
    String jsonl = Files.readString(once.resolve(ResultsLog.FILE));
    assertTrue(jsonl.contains("\"kimg\":0.5,") && jsonl.contains("\"kimg\":1,"), jsonl);

    Files.writeString(run.resolve(RunFiles.DONE_MARKER), "{}");
    Path watched = tmp.resolve("watched");
    r = cdm(common(run, ref, "--repeats=1", "--watch", "--poll=0.2", "--outdir=" + watched));
    assertEquals(0, r[0], (String) r[1]);
    assertEquals(
        List.of(0.5, 1.0), rows(watched).stream().map(o -> o.get("kimg").getAsDouble()).toList());
  }

  @Tag("slow")
  @Test
  void watchRecordsASnapshotThatCannotBeLoadedGoesOnAndStopsAtUntilKimg(@TempDir Path tmp)
      throws Exception {
    Path run = tmp.resolve("run");
    Files.createDirectories(run);
    Files.writeString(run.resolve("network-snapshot-000000.pkl"), "not a pickle");
    Files.copy(fixture("ddpmpp-cdm-gray.pkl"), run.resolve("network-snapshot-000004.pkl"));
    Files.copy(fixture("ncsnpp-ve-uncond.pkl"), run.resolve("network-snapshot-000008.pkl"));
    Object[] r =
        cdm(
            common(
                run,
                fixture("fid-refA.npz"),
                "--repeats=1",
                "--watch",
                "--poll=0.2",
                "--until-kimg=4"));
    String log = (String) r[1];
    assertEquals(1, r[0], log);
    assertTrue(log.contains("1 snapshot could not be evaluated"), log);
    assertTrue(log.contains("Reached --until-kimg=4"), log);
    assertEquals(List.of(4L), rows(run).stream().map(o -> o.get("kimg").getAsLong()).toList());
    List<JsonObject> failed = ResultsLog.failures(run.toString()).rows();
    assertEquals(1, failed.size());
    assertEquals("network-snapshot-000000.pkl", failed.get(0).get("snapshot").getAsString());
    // The worker's load failure reaches the result as data (no need to wait for the window end).
    assertTrue(
        failed.get(0).get("error").getAsString().contains("cannot load the network"),
        failed.get(0).toString());
  }

  /**
   * {@code --watch} on the embedded Flink runner in streaming mode: each snapshot's row lands while
   * the watch runs (a snapshot published meanwhile is picked up), and the end-of-training marker
   * ends the pipeline.
   */
  @Tag("slow")
  @Test
  void watchOnTheEmbeddedFlinkRunnerRecordsEachSnapshotAndEnds(@TempDir Path tmp) throws Exception {
    Path run = tmp.resolve("run");
    Files.createDirectories(run);
    Files.copy(fixture("ddpmpp-cdm-gray.pkl"), run.resolve("network-snapshot-000000.pkl"));
    Path ref = fixture("fid-refA.npz");
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<Object[]> watching =
          pool.submit(
              () ->
                  cdm(
                      common(
                          run,
                          ref,
                          "--repeats=1",
                          "--kid-images=0",
                          "--watch",
                          "--poll=0.3",
                          "--runner=FlinkRunner",
                          "--flinkMaster=[local]",
                          "--streaming=true",
                          "--parallelism=2")));
      long deadline = System.currentTimeMillis() + 90_000;
      while (rows(run).isEmpty()) {
        assertFalse(watching.isDone(), "the watch ended before the first row");
        assertTrue(System.currentTimeMillis() < deadline, "no row within 90 s");
        Thread.sleep(200);
      }
      Path part = run.resolve("network-snapshot-000004.pkl.part");
      Files.copy(fixture("ncsnpp-ve-uncond.pkl"), part);
      Files.move(part, run.resolve("network-snapshot-000004.pkl"), StandardCopyOption.ATOMIC_MOVE);
      Files.writeString(run.resolve(RunFiles.DONE_MARKER), "{}");
      Object[] r = watching.get(90, TimeUnit.SECONDS);
      String log = (String) r[1];
      assertEquals(0, r[0], log);
      assertTrue(log.contains("Training finished"), log);
      List<JsonObject> rows = rows(run);
      assertEquals(List.of(0L, 4L), rows.stream().map(o -> o.get("kimg").getAsLong()).toList());
      for (JsonObject row : rows) {
        assertEquals(64, row.get("images").getAsLong(), row.toString());
        assertTrue(Files.isRegularFile(run.resolve(row.get("grid").getAsString())));
      }
      assertNotEquals(
          rows.get(0).get("fid_mean").getAsDouble(), rows.get(1).get("fid_mean").getAsDouble());
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Several snapshots in one pipeline (as a watch with snapshots in flight together): each one's
   * window keeps its scores apart, so each row equals the row of that snapshot evaluated alone.
   */
  @Tag("slow")
  @Test
  void snapshotsInOnePipelineAreScoredSeparately(@TempDir Path tmp) throws Exception {
    Path run = tmp.resolve("run");
    Files.createDirectories(run);
    Files.copy(fixture("ddpmpp-cdm-gray.pkl"), run.resolve("network-snapshot-000000.pkl"));
    Files.copy(fixture("ncsnpp-ve-uncond.pkl"), run.resolve("network-snapshot-000004.pkl"));
    EvaluateJob alone =
        EvaluateJob.builder()
            .snapshots(run.toString())
            .ref(fixture("fid-refA.npz").toString())
            .outdir(tmp.resolve("alone").toString())
            .num(64)
            .repeats(1)
            .batch(16)
            .kidImages(0)
            .sampler(dev.cdm.model.sampling.SamplerSpec.builder().numSteps(2).build())
            .detector(fixture("tiny-detector.pt").toString())
            .pipelineArgs(List.of("--targetParallelism=2"))
            .build();
    List<Snapshot> snapshots = RunFiles.snapshots(run.toString());
    assertEquals(2, new SnapshotEvaluator(alone, line -> {}).evaluateAll());
    EvaluateJob together = alone.toBuilder().outdir(tmp.resolve("together").toString()).build();
    EvaluatePipeline.run(EvaluatePipeline.once(together, snapshots, true), "test");
    List<JsonObject> a = rows(tmp.resolve("alone"));
    List<JsonObject> t = rows(tmp.resolve("together"));
    assertEquals(2, t.size());
    for (JsonObject row : a) {
      JsonObject other =
          t.stream()
              .filter(x -> x.get("snapshot").equals(row.get("snapshot")))
              .findFirst()
              .orElseThrow();
      double fid = row.get("fid_mean").getAsDouble();
      assertEquals(fid, other.get("fid_mean").getAsDouble(), 1e-9 * fid);
      assertEquals(64, other.get("images").getAsLong());
      assertTrue(
          Files.isRegularFile(tmp.resolve("together").resolve(other.get("grid").getAsString())));
    }
    assertNotEquals(t.get(0).get("fid_mean").getAsDouble(), t.get(1).get("fid_mean").getAsDouble());
  }

  @Test
  void badFlagsAndEmptyFoldersAreOneLineErrors(@TempDir Path tmp) throws Exception {
    Path ref = fixture("fid-refA.npz");
    Object[] num = cdm(common(tmp, ref, "--num=1"));
    assertEquals(2, num[0]);
    assertTrue(
        ((String) num[1]).contains("cdm evaluate: error: --num: must be >= 2"), (String) num[1]);
    Object[] until = cdm(common(tmp, ref, "--until-kimg=5"));
    assertTrue(((String) until[1]).contains("--until-kimg needs --watch"), (String) until[1]);
    Object[] device = cdm(common(tmp, ref, "--device=tpu"));
    assertTrue(((String) device[1]).contains("is not auto, cpu, gpu or gpu:N"), (String) device[1]);
    Object[] badRef = cdm(common(tmp, tmp.resolve("missing.npz")));
    assertEquals(1, badRef[0]);
    assertTrue(((String) badRef[1]).contains("missing.npz"), (String) badRef[1]);
    Object[] empty = cdm(common(tmp, ref));
    assertEquals(1, empty[0]);
    assertTrue(
        ((String) empty[1]).contains("no network-snapshot-*.pkl or .safetensors files"),
        (String) empty[1]);
    // The built-in MNIST classifier is a detector name, not a file: the flags pass, the run folder
    // fails.
    Object[] mnist = cdm(common(tmp, ref, "--detector=mnist"));
    assertEquals(1, mnist[0]);
    assertTrue(((String) mnist[1]).contains("no network-snapshot-"), (String) mnist[1]);
  }

  @Test
  void reportChartsEveryRowAndTheLoss(@TempDir Path tmp) throws Exception {
    Files.writeString(
        tmp.resolve("stats.jsonl"),
        "{\"Loss/loss\":{\"mean\":0.5},\"Progress/kimg\":{\"mean\":1.0}}\n"
            + "{\"Loss/loss\":{\"mean\":0.4},\"Progress/kimg\":{\"mean\":2.0}}\n{\"truncat");
    EvaluationReport report = new EvaluationReport(tmp.toString(), tmp.toString());
    assertEquals(2, report.loss().size());
    List<JsonObject> rows = new java.util.ArrayList<>();
    for (int k = 0; k < 3; k++) {
      JsonObject r = new JsonObject();
      r.addProperty("snapshot", "network-snapshot-00000" + k + ".pkl");
      r.addProperty("kimg", k);
      r.addProperty("fid_min", 10.0 - k);
      r.addProperty("fid_mean", 11.0 - k);
      r.addProperty("fid_std", 0.5);
      r.addProperty("images", 100);
      r.addProperty("seconds", 1.5);
      r.addProperty("grid", "grids/network-snapshot-00000" + k + ".png");
      rows.add(r);
    }
    report.write(rows);
    int[] hwc = new int[3];
    PngCodec.decode(Files.readAllBytes(tmp.resolve(EvaluationReport.CHART)), hwc);
    assertEquals(500, hwc[0]);
    assertEquals(900, hwc[1]);
    String html = Files.readString(tmp.resolve(EvaluationReport.HTML));
    for (JsonObject r : rows) {
      assertTrue(html.contains(r.get("grid").getAsString()), html);
      assertTrue(html.contains(r.get("snapshot").getAsString()), html);
    }
  }

  @Test
  void theMnistDetectorsFidIsCalledFidMnistInTheSummaryAndTheReport() {
    JsonObject r = new JsonObject();
    r.addProperty("snapshot", "network-snapshot-000004.safetensors");
    r.addProperty("kimg", 4);
    r.addProperty(ResultRow.FID_NAME, "FID-MNIST");
    r.addProperty("fid_min", 12.5);
    r.addProperty("fid_mean", 13.0);
    r.addProperty("fid_std", 0.5);
    r.addProperty("repeats", 1);
    r.addProperty("images", 100);
    r.addProperty("seconds", 1.5);
    r.addProperty("generated", 164);
    r.addProperty("grid", "grids/network-snapshot-000004.png");
    assertTrue(ResultRow.summary(r).contains("kimg 4: FID-MNIST 13"), ResultRow.summary(r));
    String html = EvaluationReport.html(List.of(r));
    assertTrue(html.contains("<th>FID-MNIST mean</th>"), html);
    assertTrue(html.contains("kimg 4, FID-MNIST 13"), html);
    r.remove(ResultRow.FID_NAME); // a row of an older results.jsonl
    assertTrue(ResultRow.summary(r).contains("kimg 4: FID 13"), ResultRow.summary(r));
  }
}

package dev.cdm.pipelines.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.cdm.model.io.NetworkLoader;
import dev.cdm.model.precond.Precond;
import dev.cdm.pipelines.Cdm;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TrainCommandTest {
  @TempDir Path tmp;

  static Path mnist() throws Exception {
    return Path.of(TrainCommandTest.class.getResource("/dataset-mnist-max500.zip").toURI());
  }

  /** Runs {@code cdm args...} in-process, returning exit code and stdout. */
  static Object[] cdm(String... args) {
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      CommandLine cl = Cdm.commandLine();
      StringBuilderWriter err = new StringBuilderWriter();
      cl.setErr(new java.io.PrintWriter(err, true));
      int rc = cl.execute(args);
      return new Object[] {rc, buf.toString(StandardCharsets.UTF_8) + err};
    } finally {
      System.setOut(old);
    }
  }

  static final class StringBuilderWriter extends java.io.StringWriter {}

  @Test
  void dryRunPrintsTheReferenceOptionsAndCreatesNothing() throws Exception {
    Object[] r =
        cdm(
            "train",
            "--outdir=" + tmp.resolve("runs"),
            "--data=" + mnist(),
            "--dry-run",
            "--seed=3");
    String out = (String) r[1];
    assertEquals(0, r[0], out);
    assertTrue(out.contains("\"class_name\": \"training.loss.MartingaleLoss\""), out);
    assertTrue(out.contains("\"martingale_lambda\": 10.0"), out);
    assertTrue(out.contains("\"augment_dim\": 9"), out);
    assertTrue(
        out.contains("00000-dataset-mnist-max500-uncond-ddpmpp-cdm-gpus1-batch512-fp32"), out);
    assertTrue(out.contains("Dry run; exiting."), out);
    assertFalse(Files.exists(tmp.resolve("runs")), "dry run writes nothing");
  }

  /**
   * --data on a non-local file system (mem://, the code path of gs://): the ZIP is downloaded once
   * into the cache and the run is the one of the local file, named after what the user gave.
   */
  @Test
  void remoteDataComesThroughTheDownloadCache() throws Exception {
    String remote = "mem://train-bucket/dataset-mnist-max500.zip";
    dev.cdm.transforms.io.MemFileSystem.put(remote, Files.readAllBytes(mnist()));
    System.setProperty("cdm.cache", tmp.resolve("cache").toString());
    try {
      Object[] local =
          cdm(
              "train",
              "--outdir=" + tmp.resolve("runs"),
              "--data=" + mnist(),
              "--dry-run",
              "--seed=3");
      Object[] r =
          cdm(
              "train",
              "--outdir=" + tmp.resolve("runs"),
              "--data=" + remote,
              "--dry-run",
              "--seed=3");
      assertEquals(0, r[0], (String) r[1]);
      assertEquals(((String) local[1]).replace(mnist().toString(), remote), r[1]);
      try (Stream<Path> cached = Files.list(tmp.resolve("cache"))) {
        List<Path> files = cached.collect(Collectors.toList());
        assertEquals(1, files.size(), files.toString());
        assertTrue(
            java.util.Arrays.equals(Files.readAllBytes(mnist()), Files.readAllBytes(files.get(0))));
      }
      Object[] missing =
          cdm("train", "--outdir=" + tmp, "--data=mem://train-bucket/none.zip", "-n");
      assertEquals(2, missing[0], (String) missing[1]);
      assertTrue(
          ((String) missing[1]).contains("--data=mem://train-bucket/none.zip"),
          (String) missing[1]);
    } finally {
      dev.cdm.transforms.io.MemFileSystem.clear("mem://train-bucket/");
      System.clearProperty("cdm.cache");
    }
  }

  /**
   * --outdir on a non-local file system (mem://, the code path of gs://): the run is trained in a
   * local staging folder and published file by file; the remote run directory has the files of a
   * local run with the same bytes (same seed), `cdm evaluate` reads it, the next run is numbered
   * after it, and --resume takes its remote training state through the download cache.
   */
  @Test
  @Tag("slow")
  void remoteOutdirPublishesTheRunOfALocalOutdir() throws Exception {
    String runs = "mem://train-out/runs";
    String name = "00000-dataset-mnist-max500-uncond-ddpmpp-edm-gpus1-batch8-fp32";
    String remote = runs + "/" + name;
    System.setProperty("cdm.cache", tmp.resolve("cache").toString());
    try {
      String[] flags = {"--dropout=0", "--seed=1", "--max-steps=2"};
      Object[] local = cdm(tinyTraining(tmp.resolve("runs").toString(), flags));
      assertEquals(0, local[0], (String) local[1]);
      Object[] r = cdm(tinyTraining(runs, flags));
      String out = (String) r[1];
      assertEquals(0, r[0], out);
      assertTrue(out.contains("Output directory:        " + remote), out);

      Path localRun = tmp.resolve("runs").resolve(name);
      List<String> localFiles;
      try (Stream<Path> s = Files.list(localRun)) {
        localFiles = s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
      }
      List<String> remoteFiles =
          dev.cdm.transforms.io.MemFileSystem.names(remote + "/").stream()
              .map(n -> n.substring(remote.length() + 1))
              .collect(Collectors.toList());
      assertEquals(localFiles, remoteFiles);
      for (String f :
          List.of("network-snapshot-000000.safetensors", "training-state-000000.safetensors")) {
        assertTrue(
            java.util.Arrays.equals(
                Files.readAllBytes(localRun.resolve(f)),
                dev.cdm.transforms.io.MemFileSystem.get(remote + "/" + f)),
            f + " differs from the local run's");
      }
      assertEquals(
          Files.readString(localRun.resolve("training_options.json"))
              .replace(localRun.toString(), remote),
          text(remote + "/training_options.json"));
      assertEquals(2, text(remote + "/stats.jsonl").split("\n").length);
      String log = text(remote + "/log.txt");
      assertTrue(log.contains("tick 1") && log.endsWith("Exiting...\n"), log);
      assertTrue(text(remote + "/training-done.json").contains("\"nimg\":16"));
      // The staging folder keeps the logs, not the published snapshot and state.
      try (Stream<Path> s = Files.walk(tmp.resolve("cache").resolve("runs"))) {
        assertFalse(
            s.anyMatch(p -> p.getFileName().toString().endsWith(".safetensors")),
            "published checkpoints are removed from the staging folder");
      }

      // cdm evaluate reads the remote run directory and writes its results there.
      Path fixtures =
          Path.of(TrainCommandTest.class.getResource("/fixtures/fid-refA.npz").toURI()).getParent();
      Object[] e =
          cdm(
              "evaluate",
              "--snapshots=" + remote,
              "--ref=" + fixtures.resolve("fid-refA.npz"),
              "--detector=" + fixtures.resolve("tiny-detector.pt"),
              "--num=64",
              "--repeats=1",
              "--steps=2",
              "--batch=16");
      assertEquals(0, e[0], (String) e[1]);
      assertTrue(
          text(remote + "/results.jsonl").contains("network-snapshot-000000.safetensors"),
          (String) e[1]);

      // The next run is numbered after the remote one; --resume reads the remote state.
      r =
          cdm(
              tinyTraining(
                  runs,
                  "--dropout=0",
                  "--max-steps=1",
                  "--resume=" + remote + "/training-state-000000.safetensors"));
      out = (String) r[1];
      assertEquals(0, r[0], out);
      assertTrue(out.contains("\"seed\": 1,") && out.contains(runs + "/00001-"), out);
      assertTrue(out.contains("Loading training state from \"" + remote + "/training-state-"), out);
      assertTrue(
          dev.cdm.transforms.io.MemFileSystem.get(
                  runs
                      + "/00001-dataset-mnist-max500-uncond-ddpmpp-edm-gpus1-batch8-fp32/"
                      + "network-snapshot-000000.safetensors")
              != null,
          dev.cdm.transforms.io.MemFileSystem.names(runs).toString());
    } finally {
      dev.cdm.transforms.io.MemFileSystem.clear("mem://train-out/");
      System.clearProperty("cdm.cache");
    }
  }

  /** A remote --outdir that cannot be written: one line naming --outdir, before any training. */
  @Test
  void anUnwritableRemoteOutdirIsOneLineNamingIt() throws Exception {
    System.setProperty("cdm.cache", tmp.resolve("cache").toString());
    dev.cdm.transforms.io.MemFileSystem.setReadOnly("mem://read-only/", true);
    try {
      Object[] r = cdm(tinyTraining("mem://read-only/runs", "--max-steps=1"));
      String out = (String) r[1];
      assertEquals(1, r[0], out);
      assertTrue(
          out.contains(
              "error: --outdir: cannot write mem://read-only/runs/00000-dataset-mnist-max500-uncond"),
          out);
      assertTrue(out.contains("permission denied)"), out);
      assertFalse(out.contains("\tat ") || out.contains("Training for"), out);
      assertEquals(List.of(), dev.cdm.transforms.io.MemFileSystem.names("mem://read-only/"));
    } finally {
      dev.cdm.transforms.io.MemFileSystem.setReadOnly("mem://read-only/", false);
      System.clearProperty("cdm.cache");
    }
  }

  /**
   * A snapshot upload that fails while the training runs (on the upload thread): the command ends
   * with one line naming --outdir and the snapshot, the done marker is not published, and the
   * snapshot stays in the staging folder.
   */
  @Test
  void aFailedUploadDuringTrainingEndsTheCommandWithOneLine() throws Exception {
    String runs = "mem://upload-fails/runs";
    String remote = runs + "/00000-dataset-mnist-max500-uncond-ddpmpp-edm-gpus1-batch8-fp32";
    System.setProperty("cdm.cache", tmp.resolve("cache").toString());
    dev.cdm.transforms.io.MemFileSystem.setReadOnly(remote + "/.network-snapshot-", true);
    try {
      Object[] r = cdm(tinyTraining(runs, "--max-steps=2"));
      String out = (String) r[1];
      assertEquals(1, r[0], out);
      assertTrue(
          out.contains(
              "cdm train: error: --outdir: cannot write "
                  + remote
                  + "/network-snapshot-000000.safetensors ("),
          out);
      assertTrue(out.strip().endsWith("permission denied)"), out);
      assertFalse(out.contains("\tat "), out);
      assertEquals(
          List.of(),
          dev.cdm.transforms.io.MemFileSystem.names(runs),
          "a run without a published checkpoint leaves nothing");
      try (Stream<Path> s = Files.walk(tmp.resolve("cache").resolve("runs"))) {
        assertTrue(
            s.anyMatch(
                p -> p.getFileName().toString().equals("network-snapshot-000000.safetensors")),
            "the snapshot stays in the staging folder");
      }
    } finally {
      dev.cdm.transforms.io.MemFileSystem.setReadOnly(remote + "/.network-snapshot-", false);
      dev.cdm.transforms.io.MemFileSystem.clear("mem://upload-fails/");
      System.clearProperty("cdm.cache");
    }
  }

  private static String text(String location) {
    byte[] b = dev.cdm.transforms.io.MemFileSystem.get(location);
    assertTrue(b != null, location + " was not published");
    return new String(b, StandardCharsets.UTF_8);
  }

  /** --outdir that no file system on the class path can write: one line naming --outdir. */
  @Test
  void anUnknownOutdirSchemeIsAUsageErrorNamingIt() throws Exception {
    Object[] r = cdm("train", "--outdir=nofs://bucket/runs", "--data=" + mnist(), "-n");
    assertEquals(2, r[0], (String) r[1]);
    assertTrue(((String) r[1]).contains("--outdir=nofs://bucket/runs: "), (String) r[1]);
    assertFalse(((String) r[1]).contains("\tat "), (String) r[1]);
    r =
        cdm(
            "train",
            "--outdir=" + tmp,
            "--data=" + mnist(),
            "--resume=mem://train-out/training-state-000100.pt",
            "-n");
    assertEquals(2, r[0], (String) r[1]);
    assertTrue(
        ((String) r[1]).contains("--resume=mem://train-out/training-state-000100.pt: "),
        (String) r[1]);
  }

  @Test
  void templatesLoadAndFlagsOverrideThem() throws Exception {
    for (String name : Templates.NAMES) {
      assertFalse(Templates.load(name).isEmpty(), name);
    }
    Object[] r =
        cdm(
            "train",
            "--template=afhqv2-64x64-uncond-vp",
            "--outdir=" + tmp,
            "--data=" + mnist(),
            "--batch=64",
            "-n");
    String out = (String) r[1];
    assertEquals(0, r[0], out);
    assertTrue(out.contains("\"batch_size\": 64"), "flag overrides template batch 128: " + out);
    assertTrue(out.contains("\"dropout\": 0.25") && out.contains("\"lr\": 2.0E-4"), out);
    assertTrue(
        out.contains("\"channel_mult\": [\n      1,\n      2,\n      2,\n      2\n    ]"), out);
    Object[] bad = cdm("train", "--template=nope", "--outdir=" + tmp, "--data=" + mnist(), "-n");
    assertTrue(((String) bad[1]).contains("no template named 'nope'"), (String) bad[1]);
  }

  @Test
  void errorsNameTheFlag() throws Exception {
    Object[] r = cdm("train", "--outdir=" + tmp, "--data=" + tmp.resolve("missing.zip"), "-n");
    assertEquals(2, r[0]);
    assertTrue(((String) r[1]).contains("--data"), (String) r[1]);
    r = cdm("train", "--outdir=" + tmp, "--data=" + mnist(), "--arch=unet", "-n");
    assertEquals(2, r[0]);
    assertTrue(((String) r[1]).contains("--arch must be one of ddpmpp|ncsnpp|adm"), (String) r[1]);
    r = cdm("train", "--outdir=" + tmp, "--data=" + mnist(), "--cond=maybe", "-n");
    assertTrue(((String) r[1]).contains("--cond"), (String) r[1]);
  }

  @Test
  @Tag("slow")
  void shortRunWritesTheReferenceFilesAndALoadableSnapshot() throws Exception {
    Path runs = tmp.resolve("runs");
    Files.createDirectories(runs.resolve("00007-old"));
    Object[] r =
        cdm(
            tinyTraining(
                runs.toString(), "--augment=0.12", "--dropout=0", "--seed=1", "--max-steps=2"));
    String out = (String) r[1];
    assertEquals(0, r[0], out);
    Path run = runs.resolve("00008-dataset-mnist-max500-uncond-ddpmpp-edm-gpus1-batch8-fp32");
    assertTrue(Files.isDirectory(run), out);
    try (Stream<Path> s = Files.list(run)) {
      List<String> files =
          s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
      assertEquals(
          List.of(
              "log.txt",
              "network-snapshot-000000.safetensors",
              "stats.jsonl",
              "training-done.json",
              "training-state-000000.safetensors",
              "training_options.json"),
          files);
    }
    assertTrue(
        Files.readString(run.resolve("log.txt")).contains("tick 1"),
        Files.readString(run.resolve("log.txt")));
    assertEquals(2, Files.readAllLines(run.resolve("stats.jsonl")).size());
    try (NDManager m = NDManager.newBaseManager()) {
      Precond net = NetworkLoader.load(run.resolve("network-snapshot-000000.safetensors"), m);
      assertEquals(32, net.imgResolution());
      assertEquals(1, net.imgChannels());
      assertEquals(9, net.augmentDim());
      NDArray d =
          net.denoise(
              m.randomNormal(new Shape(2, 1, 32, 32)),
              m.create(new float[] {0.5f, 2f}),
              null,
              null);
      assertEquals(new Shape(2, 1, 32, 32), d.getShape());
    }

    // --resume keeps the run's seed and continues from the images seen (16 -> 24).
    String[] common = {"--augment=0.12", "--dropout=0", "--max-steps=1"};
    // Resumed into its own directory (as cdm demo does), it appends to log.txt and stats.jsonl.
    String firstLog = Files.readString(run.resolve("log.txt"));
    r =
        cdm(
            concat(
                tinyTraining(run.toString(), common),
                new String[] {
                  "--resume=" + run.resolve("training-state-000000.safetensors"), "--nosubdir"
                }));
    out = (String) r[1];
    assertEquals(0, r[0], out);
    assertTrue(out.contains("\"seed\": 1,"), out);
    assertTrue(out.contains("kimg 0.0") && out.contains("Loading training state"), out);
    String log = Files.readString(run.resolve("log.txt"));
    assertTrue(log.startsWith(firstLog) && log.contains("Loading training state"), log);
    assertTrue(Files.readAllLines(run.resolve("stats.jsonl")).size() > 2);
    // --transfer starts a new run from the snapshot's weights.
    r =
        cdm(
            concat(
                tinyTraining(runs.toString(), common),
                new String[] {
                  "--transfer=" + run.resolve("network-snapshot-000000.safetensors"), "--seed=2"
                }));
    out = (String) r[1];
    assertEquals(0, r[0], out);
    assertTrue(out.contains("Transferred") && out.contains("\"ema_rampup_ratio\": null"), out);
  }

  /**
   * {@code cdm train} of the tiny test network on MNIST on the CPU (batch 8, tick 1), writing under
   * {@code outdir}, with {@code more} flags (steps, seed, dropout, ...).
   */
  static String[] tinyTraining(String outdir, String... more) throws Exception {
    return concat(
        new String[] {
          "train",
          "--outdir=" + outdir,
          "--data=" + mnist(),
          "--precond=edm",
          "--cbase=8",
          "--cres=1,1",
          "--batch=8",
          "--tick=1",
          "--device=cpu"
        },
        more);
  }

  static String[] concat(String[] a, String[] b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /**
   * {@code cdm train} of two steps of a tiny network into {@code outdir}, with {@code --evaluate}
   * against the fixture statistics and detector in {@code fixtures}.
   */
  private static String[] trainWithEvaluate(String outdir, Path fixtures) throws Exception {
    return tinyTraining(
        outdir,
        "--dropout=0",
        "--seed=1",
        "--max-steps=2",
        "--evaluate=" + fixtures.resolve("fid-refA.npz"),
        "--evaluate-flags=--detector="
            + fixtures.resolve("tiny-detector.pt")
            + " --num=64 --repeats=1 --steps=2 --poll=0.2");
  }

  @Test
  @Tag("slow")
  void evaluateRunsBesideTheTrainingAndEndsWithIt() throws Exception {
    Path runs = tmp.resolve("runs");
    Path fixtures =
        Path.of(TrainCommandTest.class.getResource("/fixtures/fid-refA.npz").toURI()).getParent();
    Object[] r = cdm(trainWithEvaluate(runs.toString(), fixtures));
    String out = (String) r[1];
    Path run = runs.resolve("00000-dataset-mnist-max500-uncond-ddpmpp-edm-gpus1-batch8-fp32");
    assertEquals(
        0,
        r[0],
        out
            + (Files.exists(run.resolve("evaluate-log.txt"))
                ? Files.readString(run.resolve("evaluate-log.txt"))
                : ""));
    String log = Files.readString(run.resolve("evaluate-log.txt"));
    assertTrue(log.contains("network-snapshot-000000.safetensors kimg 0: FID"), log);
    assertTrue(log.contains("Training finished"), log);
    assertTrue(
        Files.readString(run.resolve("results.jsonl"))
            .contains("network-snapshot-000000.safetensors"));
    assertTrue(Files.isRegularFile(run.resolve("report.html")));
  }

  /**
   * --evaluate with a remote --outdir (mem://, the code path of gs://; its objects shared with the
   * evaluation's JVM through a folder): the evaluation watches the remote run directory, evaluates
   * the published snapshot once, ends after the training's done marker, and its results, grid,
   * report and log are in the remote run directory, as they are in a local one.
   */
  @Test
  @Tag("slow")
  @Timeout(value = 5, unit = TimeUnit.MINUTES) // a watch that never sees the run would wait forever
  void evaluateOfARemoteOutdirWatchesThePublishedRun() throws Exception {
    String runs = "mem://train-eval/runs";
    String remote = runs + "/00000-dataset-mnist-max500-uncond-ddpmpp-edm-gpus1-batch8-fp32";
    Path fixtures =
        Path.of(TrainCommandTest.class.getResource("/fixtures/fid-refA.npz").toURI()).getParent();
    System.setProperty("cdm.cache", tmp.resolve("cache").toString());
    System.setProperty(
        dev.cdm.transforms.io.MemFileSystem.SHARED_DIR, tmp.resolve("mem").toString());
    try {
      Object[] r = cdm(trainWithEvaluate(runs, fixtures));
      String out = (String) r[1];
      byte[] evalLog = dev.cdm.transforms.io.MemFileSystem.get(remote + "/evaluate-log.txt");
      assertEquals(
          0, r[0], out + (evalLog == null ? "" : new String(evalLog, StandardCharsets.UTF_8)));
      String log = text(remote + "/evaluate-log.txt");
      assertTrue(log.contains("network-snapshot-000000.safetensors kimg 0: FID"), log);
      assertTrue(log.contains("Training finished"), log);
      assertEquals(
          1,
          log.split("network-snapshot-000000.safetensors kimg 0: FID", -1).length - 1,
          "evaluated once: " + log);
      String results = text(remote + "/results.jsonl");
      assertEquals(1, results.strip().split("\n").length, results);
      assertTrue(results.contains("network-snapshot-000000.safetensors"), results);
      assertTrue(text(remote + "/report.html").contains("network-snapshot-000000"));
      assertTrue(
          dev.cdm.transforms.io.MemFileSystem.get(remote + "/grids/network-snapshot-000000.png")
              != null,
          dev.cdm.transforms.io.MemFileSystem.names(remote).toString());
      assertTrue(text(remote + "/log.txt").contains("Waiting for the evaluation"));
      // Nothing of the evaluation stays only in the staging folder but its log.
      try (Stream<Path> s = Files.walk(tmp.resolve("cache").resolve("runs"))) {
        assertFalse(
            s.anyMatch(p -> p.getFileName().toString().equals("results.jsonl")),
            "results are written remotely");
      }
    } finally {
      dev.cdm.transforms.io.MemFileSystem.clear("mem://train-eval/");
      System.clearProperty(dev.cdm.transforms.io.MemFileSystem.SHARED_DIR);
      System.clearProperty("cdm.cache");
    }
  }
}

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
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
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
            "train",
            "--outdir=" + runs,
            "--data=" + mnist(),
            "--precond=edm",
            "--cbase=8",
            "--cres=1,1",
            "--batch=8",
            "--augment=0.12",
            "--dropout=0",
            "--tick=1",
            "--seed=1",
            "--max-steps=2",
            "--device=cpu");
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
    String[] common = {
      "--outdir=" + runs,
      "--data=" + mnist(),
      "--precond=edm",
      "--cbase=8",
      "--cres=1,1",
      "--batch=8",
      "--augment=0.12",
      "--dropout=0",
      "--tick=1",
      "--max-steps=1",
      "--device=cpu"
    };
    // Resumed into its own directory (as cdm demo does), it appends to log.txt and stats.jsonl.
    String firstLog = Files.readString(run.resolve("log.txt"));
    String[] intoRun = common.clone();
    intoRun[0] = "--outdir=" + run;
    r =
        cdm(
            concat(
                new String[] {
                  "train",
                  "--resume=" + run.resolve("training-state-000000.safetensors"),
                  "--nosubdir"
                },
                intoRun));
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
                new String[] {
                  "train",
                  "--transfer=" + run.resolve("network-snapshot-000000.safetensors"),
                  "--seed=2"
                },
                common));
    out = (String) r[1];
    assertEquals(0, r[0], out);
    assertTrue(out.contains("Transferred") && out.contains("\"ema_rampup_ratio\": null"), out);
  }

  static String[] concat(String[] a, String[] b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** --evaluate: the evaluation runs beside the training and ends after its last snapshot. */
  @Test
  @Tag("slow")
  void evaluateRunsBesideTheTrainingAndEndsWithIt() throws Exception {
    Path runs = tmp.resolve("runs");
    Path fixtures =
        Path.of(TrainCommandTest.class.getResource("/fixtures/fid-refA.npz").toURI()).getParent();
    Object[] r =
        cdm(
            "train",
            "--outdir=" + runs,
            "--data=" + mnist(),
            "--precond=edm",
            "--cbase=8",
            "--cres=1,1",
            "--batch=8",
            "--dropout=0",
            "--tick=1",
            "--seed=1",
            "--max-steps=2",
            "--device=cpu",
            "--evaluate=" + fixtures.resolve("fid-refA.npz"),
            "--evaluate-flags=--detector="
                + fixtures.resolve("tiny-detector.pt")
                + " --num=64 --repeats=1 --steps=2 --poll=0.2");
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
}

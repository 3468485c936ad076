package dev.cdm.pipelines;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.cdm.model.data.PngCodec;
import dev.cdm.model.io.NetworkSnapshot;
import dev.cdm.model.training.TrainingState;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every user mistake of the issue "every user mistake gets one clear line, early": the exit code (2
 * usage, 1 failed work), exactly one error line naming the input and no stack trace, and nothing
 * left behind (no output folder, no half-written file).
 */
class UserErrorsTest {
  @TempDir Path tmp;

  /** The exit code, stdout and stderr of {@code cdm args...} run in-process. */
  record Run(int rc, String out, String err) {
    /** The lines of stderr that report an error. */
    List<String> errorLines() {
      return err.lines().filter(l -> l.contains(": error: ")).collect(Collectors.toList());
    }

    /** One error line (no stack trace) that contains every one of {@code names}; returns it. */
    String oneLineNaming(String... names) {
      List<String> lines = errorLines();
      assertEquals(1, lines.size(), "one error line:\n" + err);
      assertFalse(
          err.contains("\tat ") || err.contains("Exception in thread"), "no stack trace:\n" + err);
      for (String n : names) {
        assertTrue(lines.get(0).contains(n), "the error names " + n + ": " + lines.get(0));
      }
      assertFalse(lines.get(0).contains("null"), lines.get(0));
      return lines.get(0);
    }
  }

  static Run cdm(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    StringWriter picocliErr = new StringWriter();
    System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
    try {
      var cl = Cdm.commandLine();
      cl.setErr(new PrintWriter(picocliErr, true));
      int rc = cl.execute(args);
      return new Run(
          rc, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8) + picocliErr);
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  static Path fixture(String file) throws Exception {
    return Path.of(UserErrorsTest.class.getResource("/fixtures/" + file).toURI());
  }

  static Path mnist() throws Exception {
    return Path.of(UserErrorsTest.class.getResource("/dataset-mnist-max500.zip").toURI());
  }

  static List<String> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }

  // generate --seeds=abc, --batch=0, --steps=0, --class=99; --seeds=5-2: usage errors, nothing
  // made.
  @ParameterizedTest
  @CsvSource({
    "--seeds=abc, --seeds",
    "--seeds=5-2, --seeds",
    "--seeds=3-1, 3-1",
    "--batch=0, --batch",
    "--steps=0, --steps",
    "--class=99, --class=99",
    "--class=-1, --class",
    "--device=tpu, --device",
    "--precision=bf17, --precision",
    "--bogus=1, --bogus",
    "stray, stray",
  })
  void generateFlagMistakesAreUsageErrorsBeforeAnyWork(String flag, String named) throws Exception {
    Path out = tmp.resolve("out");
    Run r = cdm("generate", "--network=" + fixture("ddpmpp-edm-cond.pkl"), "--outdir=" + out, flag);
    assertEquals(2, r.rc(), r.err());
    String line = r.oneLineNaming(named);
    assertTrue(line.startsWith("cdm generate: error: "), line);
    assertFalse(r.err().contains("Generating"), r.err());
    assertFalse(Files.exists(out), "no output folder");
  }

  // generate with a random file, a truncated .safetensors or a missing --network file.
  @Test
  void badNetworkFilesFailBeforeGenerating() throws Exception {
    Path random = tmp.resolve("random.pkl");
    Files.write(
        random,
        new java.util.Random(1)
            .ints(4096)
            .mapToObj(Integer::toString)
            .collect(Collectors.joining(","))
            .getBytes(StandardCharsets.UTF_8));
    Path whole = tmp.resolve("whole.safetensors");
    NetworkSnapshot.load(fixture("ddpmpp-cdm-gray.pkl")).write(whole);
    byte[] bytes = Files.readAllBytes(whole);
    Path truncated = tmp.resolve("truncated.safetensors");
    Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2));
    Path missing = tmp.resolve("missing.pkl");
    for (Path net : new Path[] {random, truncated, missing}) {
      Path out = tmp.resolve("out-" + net.getFileName());
      Run r = cdm("generate", "--network=" + net, "--outdir=" + out, "--seeds=0-1");
      assertEquals(1, r.rc(), r.err());
      r.oneLineNaming("--network", net.getFileName().toString());
      assertFalse(r.err().contains("Generating"), r.err());
      assertFalse(Files.exists(out), "no output folder");
    }
  }

  // generate --outdir naming a file: found before sampling, the file untouched.
  @Test
  void outdirNamingAFileFailsBeforeSampling() throws Exception {
    Path file = tmp.resolve("notes.txt");
    Files.writeString(file, "keep me");
    Run r =
        cdm(
            "generate",
            "--network=" + fixture("ddpmpp-cdm-gray.pkl"),
            "--outdir=" + file,
            "--seeds=0-1",
            "--steps=2");
    assertEquals(1, r.rc(), r.err());
    r.oneLineNaming("--outdir", "notes.txt", "not a folder");
    assertFalse(r.err().contains("Generating"), r.err());
    assertEquals("keep me", Files.readString(file));
  }

  // generate --resume over a 0-byte or truncated PNG: made again; leftovers of a killed run go.
  @Test
  void resumeRemakesIncompleteImagesAndRemovesLeftovers() throws Exception {
    Path out = tmp.resolve("out");
    String[] args = {
      "generate",
      "--network=" + fixture("ddpmpp-cdm-gray.pkl"),
      "--outdir=" + out,
      "--seeds=0-2",
      "--steps=2",
      "--batch=3",
      "--device=cpu"
    };
    Run first = cdm(args);
    assertEquals(0, first.rc(), first.err());
    byte[] good0 = Files.readAllBytes(out.resolve("000000.png"));
    byte[] good1 = Files.readAllBytes(out.resolve("000001.png"));
    Files.write(out.resolve("000000.png"), new byte[0]);
    Files.write(out.resolve("000001.png"), Arrays.copyOf(good1, good1.length - 20));
    Path leftover = out.resolve(".000002.png.0a1b2c3d-1111-2222-3333-444455556666.tmp");
    Files.write(leftover, new byte[7]);
    long untouched = Files.getLastModifiedTime(out.resolve("000002.png")).toMillis();

    String[] resume = Arrays.copyOf(args, args.length + 1);
    resume[args.length] = "--resume";
    Run r = cdm(resume);
    assertEquals(0, r.rc(), r.err());
    assertTrue(r.err().contains("Removed 1 unfinished image file"), r.err());
    assertTrue(r.err().contains("2 incomplete ones are made again; 2 to generate"), r.err());
    assertEquals(List.of("000000.png", "000001.png", "000002.png"), list(out));
    assertArrayEquals(good0, Files.readAllBytes(out.resolve("000000.png")));
    assertArrayEquals(good1, Files.readAllBytes(out.resolve("000001.png")));
    assertEquals(untouched, Files.getLastModifiedTime(out.resolve("000002.png")).toMillis());
    assertTrue(PngCodec.isComplete(good0));
    assertFalse(PngCodec.isComplete(Arrays.copyOf(good1, good1.length - 20)));
    assertFalse(PngCodec.isComplete(new byte[0]));
  }

  // train --batch=32 --batch-gpu=5: a usage error before the run folder exists.
  @Test
  void trainBatchSplitIsCheckedBeforeTheRunFolder() throws Exception {
    Path runs = tmp.resolve("runs");
    Run r =
        cdm(
            "train",
            "--outdir=" + runs,
            "--data=" + mnist(),
            "--batch=32",
            "--batch-gpu=5",
            "--device=cpu");
    assertEquals(2, r.rc(), r.err());
    r.oneLineNaming("--batch=32", "--batch-gpu=5");
    assertFalse(Files.exists(runs), "no run folder");
  }

  // train --resume with another --cbase: the state does not fit; nothing is created.
  @Test
  void trainResumeThatDoesNotFitTheNetworkLeavesNoFolder() throws Exception {
    Path state = tmp.resolve("old/training-state-000000.safetensors");
    Files.createDirectories(state.getParent());
    try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu())) {
      NDArray w = m.zeros(new ai.djl.ndarray.types.Shape(32, 8));
      new TrainingState(
              0, 0, 0, 7, Map.of("model.map_layer0.weight", w), Map.of(), Map.of(), Map.of())
          .save(state);
    }
    Path runs = tmp.resolve("runs");
    Run r =
        cdm(
            "train",
            "--outdir=" + runs,
            "--data=" + mnist(),
            "--precond=edm",
            "--cbase=16",
            "--cres=1,1",
            "--batch=8",
            "--augment=0",
            "--device=cpu",
            "--resume=" + state);
    assertEquals(2, r.rc(), r.err());
    r.oneLineNaming("--resume", "training-state-000000.safetensors");
    assertFalse(Files.exists(runs), "no run folder");
  }

  // dataset killed with kill -9: its scratch folder is removed by the next run, in one line.
  @Test
  void datasetRemovesTheScratchFolderOfAKilledRun() throws Exception {
    Path dest = tmp.resolve("mnist.zip");
    Process dead = new ProcessBuilder("true").start();
    dead.waitFor();
    Path killed = tmp.resolve(".mnist.zip.cdm-0badf00d");
    Files.createDirectories(killed.resolve("work"));
    Files.write(killed.resolve("work/shard-0.bin"), new byte[1 << 16]);
    Files.writeString(
        killed.resolve("owner"),
        dead.pid() + "@" + java.net.InetAddress.getLocalHost().getHostName());
    Path running = tmp.resolve(".mnist.zip.cdm-0000abcd"); // owned by a live process: kept
    Files.createDirectories(running);
    Files.writeString(
        running.resolve("owner"),
        ProcessHandle.current().pid() + "@" + java.net.InetAddress.getLocalHost().getHostName());
    Run r = cdm("dataset", "--source=" + mnist(), "--dest=" + dest, "--max-images=8");
    assertEquals(0, r.rc(), r.err());
    List<String> said =
        r.err().lines().filter(l -> l.contains("interrupted run")).collect(Collectors.toList());
    assertEquals(1, said.size(), r.err());
    assertTrue(said.get(0).contains(killed.getFileName().toString()), said.get(0));
    assertEquals(List.of(running.getFileName().toString(), "mnist.zip"), list(tmp));
  }

  // offline fid without --detector / inspect of an unreachable URL: never "null".
  @Test
  void unreachableDownloadsSayWhatToDo() throws Exception {
    String url = "http://127.0.0.1:9/inception.pt"; // the discard port: connection refused
    Run r = cdm("fid", "--images=" + tmp, "--ref=" + fixture("fid-refA.npz"), "--detector=" + url);
    assertEquals(1, r.rc(), r.err());
    r.oneLineNaming("--detector=" + url, "--detector=PATH");
    Run i = cdm("inspect", "--network=http://127.0.0.1:9/net.pkl");
    assertEquals(1, i.rc(), i.err());
    i.oneLineNaming("--network", "http://127.0.0.1:9/net.pkl", "local path");
  }

  // fid/ref with a misspelt image folder: the flag named, before the reference statistics load.
  @Test
  void aMissingImageFolderNamesItsFlagFirst() throws Exception {
    String missing = tmp.resolve("no-such-images").toString();
    Run f =
        cdm(
            "fid",
            "--images=" + missing,
            "--ref=" + tmp.resolve("no-such-ref.npz"),
            "--detector=" + fixture("tiny-detector.pt"),
            "--device=cpu");
    assertEquals(1, f.rc(), f.err());
    assertTrue(
        f.oneLineNaming("--images=" + missing)
            .endsWith(missing + ": not found (expected a folder" + " or a .zip of images)"),
        f.err());
    assertFalse(f.err().contains("Loading dataset reference statistics"), f.err());
    Run r =
        cdm(
            "ref",
            "--data=" + missing,
            "--dest=" + tmp.resolve("ref.npz"),
            "--detector=" + fixture("tiny-detector.pt"),
            "--device=cpu");
    assertEquals(1, r.rc(), r.err());
    r.oneLineNaming("--data=" + missing + ": not found");
    assertEquals(List.of(), list(tmp));
  }

  // ref with a --dest that cannot be written: found before any feature is computed.
  @Test
  void refChecksItsDestinationFirst() throws Exception {
    Path file = tmp.resolve("plain-file");
    Files.writeString(file, "x");
    Path images = Files.createDirectories(tmp.resolve("imgs"));
    Run r =
        cdm(
            "ref",
            "--data=" + images,
            "--dest=" + file.resolve("ref.npz"),
            "--detector=" + fixture("tiny-detector.pt"),
            "--device=cpu");
    assertEquals(1, r.rc(), r.err());
    r.oneLineNaming("--dest=", "plain-file", "not a folder");
    assertFalse(r.err().contains("Calculating"), r.err());

    Path readOnly = Files.createDirectories(tmp.resolve("ro"));
    readOnly.toFile().setWritable(false, false);
    try {
      if (!Files.isWritable(readOnly)) { // as root every folder is writable: nothing to check
        r =
            cdm(
                "ref",
                "--data=" + images,
                "--dest=" + readOnly.resolve("ref.npz"),
                "--detector=" + fixture("tiny-detector.pt"),
                "--device=cpu");
        assertEquals(1, r.rc(), r.err());
        r.oneLineNaming("--dest=", "cannot write");
      }
    } finally {
      readOnly.toFile().setWritable(true, false);
    }
  }

  // cdm with no arguments: usage on stderr, exit 2.
  @Test
  void noCommandIsAUsageError() {
    Run r = cdm();
    assertEquals(2, r.rc());
    assertTrue(r.err().contains("Usage: cdm"), r.err());
    r.oneLineNaming("no command given");
  }

  @Test
  void verboseAddsTheStackTrace() throws Exception {
    Run r = cdm("inspect", "--network=" + tmp.resolve("missing.pkl"), "--verbose");
    assertEquals(1, r.rc());
    assertTrue(r.err().contains("\tat "), r.err());
    assertEquals(1, r.errorLines().size(), r.err());
  }

  @Test
  void runnerAndCacheWrappersAreUnwrapped() {
    IOException cause = new IOException("--network=a.pkl: truncated");
    Throwable wrapped =
        new org.apache.beam.sdk.Pipeline.PipelineExecutionException(
            new com.google.common.util.concurrent.UncheckedExecutionException(
                new java.util.concurrent.ExecutionException(cause)));
    assertEquals(cause, CommandErrors.cause(wrapped));
    assertEquals("--network=a.pkl: truncated", CommandErrors.message(wrapped));
    String none = CommandErrors.message(new RuntimeException(new java.net.ConnectException()));
    assertFalse(none.contains("null"), none);
    assertTrue(none.startsWith("ConnectException"), none);
  }
}

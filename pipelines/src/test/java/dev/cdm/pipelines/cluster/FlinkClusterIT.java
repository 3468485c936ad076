package dev.cdm.pipelines.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cdm.fid.GaussianStatistics;
import dev.cdm.model.data.ImageArchive;
import dev.cdm.model.data.PngCodec;
import dev.cdm.pipelines.Cdm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands on a real Flink session cluster: a JobManager and two TaskManagers (two slots each)
 * as separate JVMs started by {@code infra/flink/cluster.sh}, jobs submitted with {@code
 * --runner=FlinkRunner --flinkMaster=localhost:PORT}; then a TaskManager killed with SIGKILL in the
 * middle of {@code cdm generate} and of {@code cdm fid}. Runs after {@code package} (the cluster
 * runs from the packaged jars), as a failsafe integration test.
 */
@Tag("slow")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FlinkClusterIT {
  /** The Flink vertex that samples: the chain holding the "Sample" step of GenerateImages. */
  private static final String SAMPLING_STEP = "Generate/Sample";

  /** Images per generate/fid run: several seconds of sampling per slot on an idle 2-core box. */
  static final int N =
      64; // at least the test detector's 64 features (statistics need as many images)

  @TempDir static Path tmp;
  static Path root;
  static FlinkCluster cluster;
  static String master;
  static Path detector;
  static Path network;
  static Path undisturbedImages;
  static Path reference;

  @BeforeAll
  static void startCluster() throws Exception {
    root = FlinkCluster.repositoryRoot();
    detector = fixture("tiny-detector.pt");
    network = fixture("ddpmpp-edm-cond.pkl");
    cluster = new FlinkCluster(root, tmp.resolve("flink"), 2);
    // A failing test (or a killed test JVM) must not leave the cluster behind.
    Runtime.getRuntime().addShutdownHook(new Thread(FlinkClusterIT::stopQuietly));
    master = cluster.start(2);
    assertTrue(master.matches("localhost:\\d+"), "cluster.sh start printed " + master);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static void stopQuietly() {
    try {
      stopCluster();
    } catch (Exception e) {
      System.err.println("stopping the Flink cluster: " + e);
    }
  }

  static Path fixture(String name) throws Exception {
    return Path.of(FlinkClusterIT.class.getResource("/fixtures/" + name).toURI());
  }

  /** The Flink flags of every command: the cluster, 2 slots, and only the cdm jar staged. */
  static List<String> onCluster(String... args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.add("--runner=FlinkRunner");
    all.add("--flinkMaster=" + master);
    all.add("--parallelism=2");
    // The cluster's JVMs run with the project's class path: ship the cdm jar, not 280 MB of jars.
    all.add("--filesToStage=" + root.resolve("pipelines/target/cdm-pipelines.jar"));
    return all;
  }

  static int cdm(List<String> args) {
    return Cdm.commandLine().execute(args.toArray(new String[0]));
  }

  static List<String> generateArgs(Path outdir) {
    return onCluster(
        "generate",
        "--network=" + network,
        "--outdir=" + outdir,
        "--seeds=0-" + (N - 1),
        "--batch=1",
        "--steps=32"); // long enough for the fault tests to kill a TaskManager mid-sampling
  }

  static List<String> streamingFidArgs(Path results) {
    return onCluster(
        "fid",
        "--network=" + network,
        "--ref=" + reference,
        "--num=" + N,
        "--batch=2",
        "--steps=32",
        "--detector=" + detector,
        "--device=cpu",
        "--results=" + results);
  }

  /** The files of a folder, by name, with their bytes. */
  static TreeMap<String, byte[]> files(Path dir) throws IOException {
    TreeMap<String, byte[]> m = new TreeMap<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        m.put(p.getFileName().toString(), Files.readAllBytes(p));
      }
    }
    return m;
  }

  static long pngCount(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".png")).count();
    }
  }

  static double[] fidValues(Path results) throws IOException {
    // "<repeat> <fid>" per line.
    return Files.readAllLines(results).stream()
        .filter(l -> !l.isBlank())
        .mapToDouble(l -> Double.parseDouble(l.trim().split("\\s+")[1]))
        .toArray();
  }

  @Test
  @Order(1)
  @Timeout(value = 15, unit = TimeUnit.MINUTES)
  void datasetGenerateRefAndFidRunOnTheCluster() throws Exception {
    // cdm dataset: 80 MNIST test images into a ZIP.
    Path zip = tmp.resolve("mnist80.zip");
    assertEquals(
        0,
        cdm(
            onCluster(
                "dataset",
                "--source=" + root.resolve("data/mnist/t10k-images-idx3-ubyte.gz"),
                "--dest=" + zip,
                "--max-images=80")));
    try (ImageArchive a = ImageArchive.open(zip)) {
      assertEquals(80, a.size());
    }

    // cdm generate: one PNG per seed, whole and decodable.
    undisturbedImages = tmp.resolve("generated");
    assertEquals(0, cdm(generateArgs(undisturbedImages)));
    TreeMap<String, byte[]> images = files(undisturbedImages);
    List<String> expected = new ArrayList<>();
    for (int s = 0; s < N; s++) {
      expected.add(String.format(Locale.ROOT, "%06d.png", s));
    }
    assertEquals(expected, new ArrayList<>(images.keySet()));
    for (byte[] png : images.values()) {
      int[] hwc = new int[3];
      PngCodec.decode(png, hwc);
      assertEquals(16, hwc[0]);
    }
    // Its Beam counters reached Flink (the job's accumulators, as the web UI shows them).
    long bytes = images.values().stream().mapToLong(png -> png.length).sum();
    java.util.Map<String, Long> counters =
        cluster.counters(cluster.lastJob("").get("jid").asText());
    assertEquals((long) N, counters.get("generate.images"), counters.toString());
    assertEquals((long) N, counters.get("write.images"), counters.toString());
    assertEquals(bytes, counters.get("write.bytes"), counters.toString());

    // cdm ref: statistics of the dataset, written by a worker.
    reference = tmp.resolve("mnist80-ref.npz");
    assertEquals(
        0,
        cdm(
            onCluster(
                "ref",
                "--data=" + zip,
                "--dest=" + reference,
                "--detector=" + detector,
                "--batch=8",
                "--device=cpu")));
    assertEquals(64, GaussianStatistics.read(reference).dim());

    // cdm fid of the generated images: the same value as the embedded DirectRunner gives.
    Path onFlink = tmp.resolve("fid-flink.txt");
    assertEquals(
        0,
        cdm(
            onCluster(
                "fid",
                "--images=" + undisturbedImages,
                "--ref=" + reference,
                "--num=" + N,
                "--detector=" + detector,
                "--batch=4",
                "--device=cpu",
                "--results=" + onFlink)));
    Path direct = tmp.resolve("fid-direct.txt");
    assertEquals(
        0,
        cdm(
            List.of(
                "fid",
                "--images=" + undisturbedImages,
                "--ref=" + reference,
                "--num=" + N,
                "--detector=" + detector,
                "--batch=4",
                "--device=cpu",
                "--results=" + direct,
                "--runner=DirectRunner")));
    double fid = fidValues(onFlink)[0];
    assertTrue(fid > 0.01, "FID of 16x16 samples against MNIST digits: " + fid);
    assertEquals(fidValues(direct)[0], fid, 1e-9 * fid);
  }

  /**
   * SIGKILL to a TaskManager running the sampling while images are being written: the job restarts
   * (fixed-delay strategy) on the remaining slots and leaves exactly the undisturbed run's files.
   */
  @Test
  @Order(2)
  @Timeout(value = 15, unit = TimeUnit.MINUTES)
  void generateSurvivesALostTaskManager() throws Exception {
    assertNotNull(undisturbedImages, "needs the first test's run");
    // The undisturbed run to compare with, in TaskManagers that have sampled before, as the
    // restarted job's are: the CPU libtorch rounds a rare value one level differently in the first
    // sampling of a JVM than in later ones (the DirectRunner too: two `cdm generate` runs in one
    // JVM differ in one channel of one pixel of seed 2 of this fixture; see infra/README.md).
    Path undisturbed = tmp.resolve("generated-again");
    assertEquals(0, cdm(generateArgs(undisturbed)));
    Path outdir = tmp.resolve("generated-killed");
    CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> cdm(generateArgs(outdir)));
    String job = null;
    while (job == null) {
      assertTrue(!run.isDone(), "generate ended before its job was seen running");
      job = cluster.runningJob();
      Thread.sleep(50);
    }
    // Kill as soon as a TaskManager runs the sampling (as for fid below): the slots take one batch
    // at a time, so a short job can be all but done by the time its first image is seen.
    waitForRunning(job, SAMPLING_STEP, run);
    String victim = killOneRunning(job, SAMPLING_STEP);
    long atKill = pngCount(outdir);
    assertTrue(
        atKill < N,
        "all "
            + N
            + " images were written before "
            + victim
            + " was killed; the test needs a slower job");
    assertEquals(0, run.get(10, TimeUnit.MINUTES));
    assertTrue(
        cluster.recoveredFailures(job) >= 1,
        "the job should have restarted after losing " + victim);

    TreeMap<String, byte[]> want = files(undisturbed);
    TreeMap<String, byte[]> got = files(outdir);
    got.keySet().removeIf(n -> n.startsWith(".") && n.endsWith(".tmp")); // see infra/README.md
    assertEquals(want.keySet(), got.keySet(), "exactly the " + N + " PNGs, nothing else");
    List<String> differ = new ArrayList<>();
    for (String name : want.keySet()) {
      if (!Arrays.equals(want.get(name), got.get(name))) {
        differ.add(name);
      }
    }
    assertEquals(List.of(), differ, "PNGs that differ from the undisturbed run");
  }

  /**
   * SIGKILL to a TaskManager in the middle of a streaming {@code cdm fid} (samples generated and
   * scored on the workers): the restarted job's FID equals the undisturbed run's. Float64 sums
   * merged in a different order may differ in the last bits; one image lost or counted twice would
   * move this FID of 24 images by far more than the 1e-9 tolerance.
   */
  @Test
  @Order(3)
  @Timeout(value = 15, unit = TimeUnit.MINUTES)
  void fidSurvivesALostTaskManager() throws Exception {
    assertNotNull(reference, "needs the reference statistics of the first test");
    int alive = cluster.get("/overview").get("taskmanagers").asInt();
    if (alive < 2) {
      cluster.add(2 - alive); // a TaskManager was killed before: back to two
    }
    // As for generate: the baseline runs in TaskManagers that have sampled before (the one just
    // added has not), as the restarted job does.
    assertEquals(0, cdm(streamingFidArgs(tmp.resolve("streaming-warm-up.txt"))));
    Path undisturbed = tmp.resolve("streaming-undisturbed.txt");
    assertEquals(0, cdm(streamingFidArgs(undisturbed)));

    Path killed = tmp.resolve("streaming-killed.txt");
    CompletableFuture<Integer> run =
        CompletableFuture.supplyAsync(() -> cdm(streamingFidArgs(killed)));
    String job = null;
    while (job == null) {
      assertTrue(!run.isDone(), "fid ended before its job was seen running");
      job = cluster.runningJob();
      Thread.sleep(100);
    }
    // Kill as soon as a TaskManager runs the sampling (nothing is written to watch, and the load
    // of a shared CI box makes any later moment a gamble); it then has all of its seeds to do.
    waitForRunning(job, SAMPLING_STEP, run);
    assertTrue(!run.isDone(), "fid ended before the kill; the test needs a slower job");
    String victim = killOneRunning(job, SAMPLING_STEP);
    assertEquals(0, run.get(10, TimeUnit.MINUTES));
    assertTrue(
        cluster.recoveredFailures(job) >= 1,
        "the job should have restarted after losing " + victim);
    double want = fidValues(undisturbed)[0];
    double got = fidValues(killed)[0];
    assertEquals(want, got, 1e-9 * Math.abs(want));
  }

  /** Waits until a subtask of the vertex runs on a TaskManager. */
  static void waitForRunning(String job, String vertexPart, CompletableFuture<Integer> run)
      throws Exception {
    long t0 = System.currentTimeMillis();
    while (true) {
      assertTrue(!run.isDone(), "the command ended before " + vertexPart + " was seen running");
      JsonNode v = cluster.vertex(job, vertexPart);
      if (!cluster.taskManagersRunning(job, v.get("id").asText()).isEmpty()) {
        return;
      }
      assertTrue(System.currentTimeMillis() - t0 < 300_000, "vertex " + vertexPart + " never ran");
      Thread.sleep(50);
    }
  }

  /** SIGKILLs a TaskManager that runs a subtask of the vertex; returns its name. */
  static String killOneRunning(String job, String vertexPart) throws Exception {
    JsonNode v = cluster.vertex(job, vertexPart);
    List<String> running = cluster.taskManagersRunning(job, v.get("id").asText());
    assertTrue(
        !running.isEmpty(),
        "no TaskManager runs " + vertexPart + " (any more): the test" + " needs a slower job");
    String victim = running.get(0);
    cluster.kill9(victim);
    System.err.println("killed " + victim + " (SIGKILL) while it ran " + vertexPart);
    return victim;
  }
}

package dev.cdm.bench.pipelines;

import dev.cdm.model.data.Pixels;
import dev.cdm.model.data.PngCodec;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import javax.imageio.ImageIO;

/**
 * Times {@code cdm dataset} against the reference {@code dataset_tool.py} on this machine, back to
 * back, on two workloads: MNIST 60k -> ZIP, and N synthetic 256x256 RGB PNGs -> 64x64 center-crop.
 * Each run is a fresh process (JVM or Python), so start-up is included on both sides. Also checks
 * that both tools wrote the same pixels (max difference in 8-bit levels).
 *
 * <pre>
 * java -cp ... dev.cdm.bench.pipelines.DatasetBenchmark \
 *   [--python=/usr/bin/python3] [--reference=/work/ref/dataset_tool.py] [--mnist=data/mnist/train-images-idx3-ubyte.gz]
 *   [--images=5000] [--size=256] [--resolution=64] [--work=/tmp/cdm-dataset-bench] [--repeats=1]
 *   [--java-opts="-Xmx8g"] [--java-opts2=@launcher] [--launcher=./cdm] [--skip-mnist] [--skip-resize]
 * </pre>
 *
 * <p>{@code --java-opts}/{@code --java-opts2} give the JVM flags of the two cdm runs per repeat
 * (empty skips one); {@code @launcher} runs {@code ./cdm dataset} itself, with the launcher's
 * per-command defaults (C1 only, serial GC, class-data-sharing archive) and CDM_JAVA_OPTS unset;
 * one untimed small run first lets the launcher write its archive, as any earlier run would have.
 */
public final class DatasetBenchmark {
  private DatasetBenchmark() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new LinkedHashMap<>();
    a.put("python", "/usr/bin/python3");
    a.put("reference", "/work/ref/dataset_tool.py");
    a.put("mnist", "data/mnist/train-images-idx3-ubyte.gz");
    a.put("images", "5000");
    a.put("size", "256");
    a.put("resolution", "64");
    a.put("work", System.getProperty("java.io.tmpdir") + "/cdm-dataset-bench");
    a.put("repeats", "1");
    a.put("java-opts", "-Xmx8g");
    a.put("java-opts2", "@launcher");
    a.put("launcher", "./cdm");
    for (String s : args) {
      if (!s.startsWith("--")) {
        throw new IllegalArgumentException("Unexpected argument " + s);
      }
      int eq = s.indexOf('=');
      a.put(eq < 0 ? s.substring(2) : s.substring(2, eq), eq < 0 ? "true" : s.substring(eq + 1));
    }
    Path work = Path.of(a.get("work"));
    Files.createDirectories(work);
    int repeats = Integer.parseInt(a.get("repeats"));
    List<String> report = new ArrayList<>();
    report.add(String.format("%-34s %-44s %9s %9s", "workload", "tool", "wall s", "cpu s"));

    if (a.get("java-opts").trim().equals("@launcher")
        || a.get("java-opts2").trim().equals("@launcher")) {
      Path warm = work.resolve("warm-up.zip");
      Files.deleteIfExists(warm);
      timed(
          List.of(
              a.get("launcher"),
              "dataset",
              "--source=" + Path.of(a.get("mnist")).toAbsolutePath(),
              "--max-images=100",
              "--dest=" + warm),
          work.resolve("warm-up.log"));
    }
    if (!a.containsKey("skip-mnist")) {
      String src = Path.of(a.get("mnist")).toAbsolutePath().toString();
      bench(a, report, "MNIST 60k -> ZIP", work, List.of("--source=" + src), repeats);
    }
    if (!a.containsKey("skip-resize")) {
      int n = Integer.parseInt(a.get("images"));
      int size = Integer.parseInt(a.get("size"));
      Path folder = work.resolve("synthetic-" + n + "-" + size);
      synthesize(folder, n, size);
      String res = a.get("resolution");
      bench(
          a,
          report,
          n + " x " + size + "px -> " + res + "px crop",
          work,
          List.of(
              "--source=" + folder, "--transform=center-crop", "--resolution=" + res + "x" + res),
          repeats);
    }
    System.out.println();
    report.forEach(System.out::println);
  }

  private static void bench(
      Map<String, String> a,
      List<String> report,
      String workload,
      Path work,
      List<String> flags,
      int repeats)
      throws Exception {
    String cp = System.getProperty("java.class.path");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path refOut = work.resolve("reference.zip");
    Path javaOut = work.resolve("java.zip");
    for (int r = 0; r < repeats; r++) {
      // Back to back, alternating, so that both see the same machine load.
      Files.deleteIfExists(refOut);
      List<String> ref = new ArrayList<>(List.of(a.get("python"), a.get("reference")));
      ref.addAll(flags);
      ref.add("--dest=" + refOut);
      double[] t = timed(ref, work.resolve("reference.log"));
      report.add(
          String.format(
              "%-34s %-44s %9.1f %9.1f", workload, "reference dataset_tool.py", t[0], t[1]));
      for (String optsKey : new String[] {"java-opts", "java-opts2"}) {
        String opts = a.get(optsKey);
        if (opts == null || opts.isEmpty()) {
          continue;
        }
        Files.deleteIfExists(javaOut);
        List<String> cmd = new ArrayList<>();
        boolean launcher = opts.trim().equals("@launcher");
        if (launcher) {
          // The ./cdm launcher with its own per-command JVM flags (CDM_JAVA_OPTS unset).
          cmd.addAll(List.of(a.get("launcher"), "dataset"));
        } else {
          cmd.add(java);
          cmd.addAll(List.of(opts.trim().split("\\s+")));
          cmd.addAll(
              List.of("-Dai.djl.offline=true", "-cp", cp, "dev.cdm.pipelines.Cdm", "dataset"));
        }
        cmd.addAll(flags);
        cmd.add("--dest=" + javaOut);
        t = timed(cmd, work.resolve("java.log"));
        String tool = launcher ? "./cdm dataset (launcher defaults)" : "cdm dataset (" + opts + ")";
        report.add(String.format("%-34s %-44s %9.1f %9.1f", workload, tool, t[0], t[1]));
      }
    }
    int diff = maxPixelDiff(refOut, javaOut);
    report.add(
        String.format(
            "%-34s outputs: same entries and dataset.json, max pixel difference %d levels",
            workload, diff));
  }

  /** Runs a command; returns {wall seconds, CPU seconds of the process tree (user + system)}. */
  private static double[] timed(List<String> cmd, Path log) throws Exception {
    System.err.println(
        "bench: " + String.join(" ", cmd.subList(0, Math.min(cmd.size(), 3))) + " ...");
    Path times = log.resolveSibling(log.getFileName() + ".time");
    List<String> full = new ArrayList<>();
    boolean gnuTime = new File("/usr/bin/time").canExecute();
    if (gnuTime) {
      full.addAll(List.of("/usr/bin/time", "-f", "%U %S", "-o", times.toString()));
    }
    full.addAll(cmd);
    long t0 = System.nanoTime();
    ProcessBuilder pb =
        new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().remove("CDM_JAVA_OPTS");
    Process p = pb.start();
    int rc = p.waitFor();
    double wall = (System.nanoTime() - t0) / 1e9;
    if (rc != 0) {
      throw new IOException(
          "Command failed (" + rc + "), see " + log + ": " + String.join(" ", cmd));
    }
    double cpu = Double.NaN;
    if (gnuTime) {
      String[] f = Files.readString(times).trim().split("\\s+");
      cpu = Double.parseDouble(f[f.length - 2]) + Double.parseDouble(f[f.length - 1]);
    }
    return new double[] {wall, cpu};
  }

  /**
   * Smooth, textured, deterministic RGB images saved as (compressed) PNG, as a photo dataset would
   * be.
   */
  static void synthesize(Path folder, int n, int size) throws IOException {
    if (Files.isDirectory(folder)) {
      try (var s = Files.list(folder)) {
        if (s.count() == n) {
          return;
        }
      }
    }
    Files.createDirectories(folder);
    Random rnd = new Random(1234);
    for (int i = 0; i < n; i++) {
      BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
      double fx = 1 + rnd.nextDouble() * 6;
      double fy = 1 + rnd.nextDouble() * 6;
      double ph = rnd.nextDouble() * 6.28;
      for (int y = 0; y < size; y++) {
        for (int x = 0; x < size; x++) {
          double u = x / (double) size;
          double v = y / (double) size;
          int r = (int) (127.5 + 127.5 * Math.sin(fx * 6.28 * u + ph));
          int g = (int) (127.5 + 127.5 * Math.sin(fy * 6.28 * v - ph));
          int b = (int) (127.5 + 127.5 * Math.sin(fx * 6.28 * (u + v) + fy)) ^ (rnd.nextInt(16));
          img.setRGB(x, y, (r << 16) | (g << 8) | (b & 0xff));
        }
      }
      ImageIO.write(img, "png", folder.resolve(String.format("img%05d.png", i)).toFile());
    }
  }

  private static int maxPixelDiff(Path a, Path b) throws Exception {
    int max = 0;
    try (ZipFile za = new ZipFile(a.toFile());
        ZipFile zb = new ZipFile(b.toFile())) {
      if (za.size() != zb.size()) {
        throw new IOException("Entry counts differ: " + za.size() + " vs " + zb.size());
      }
      for (var en = za.entries(); en.hasMoreElements(); ) {
        ZipEntry e = en.nextElement();
        ZipEntry f = zb.getEntry(e.getName());
        if (f == null) {
          throw new IOException("Missing in cdm output: " + e.getName());
        }
        byte[] x = read(za, e);
        byte[] y = read(zb, f);
        if (e.getName().equals("dataset.json")) {
          if (!java.util.Arrays.equals(x, y)) {
            throw new IOException("dataset.json differs");
          }
          continue;
        }
        Pixels p = PngCodec.decode(x, e.getName());
        Pixels q = PngCodec.decode(y, e.getName());
        if (p.width() != q.width() || p.height() != q.height() || p.channels() != q.channels()) {
          throw new IOException("Shapes differ for " + e.getName());
        }
        for (int i = 0; i < p.data().length; i++) {
          max = Math.max(max, Math.abs((p.data()[i] & 0xff) - (q.data()[i] & 0xff)));
        }
      }
    }
    return max;
  }

  private static byte[] read(ZipFile z, ZipEntry e) throws IOException {
    try (InputStream in = z.getInputStream(e)) {
      return in.readAllBytes();
    }
  }
}

package dev.cdm.bench.model;

import ai.djl.ndarray.NDManager;
import dev.cdm.model.io.NetworkSnapshot;
import dev.cdm.model.io.ReferenceCheckpoint;
import dev.cdm.model.io.SyntheticCheckpoint;
import dev.cdm.model.io.TensorDType;
import dev.cdm.model.io.TensorData;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Times reading checkpoints: a reference {@code .pkl} (a given one, or a synthetic one of the
 * requested parameter count in the reference's exact byte layout), conversion to our snapshot, and
 * reading the snapshot back; then moving all tensors onto a DJL device.
 *
 * <pre>
 * java -cp ... dev.cdm.bench.model.CheckpointBench [--params N] [--pkl PATH]
 *     [--dir DIR] [--device cpu|gpu] [--repeat R]
 * </pre>
 *
 * Defaults: 2,000,000 synthetic parameters (CPU-friendly); {@code --params 55733891} is the DDPM++
 * CIFAR-10 network's size.
 */
public final class CheckpointBench {
  private CheckpointBench() {}

  public static void main(String[] args) throws Exception {
    long params = 2_000_000;
    Path pkl = null;
    Path dir = null;
    String device = "cpu";
    int repeat = 3;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--params":
          params = Long.parseLong(args[++i]);
          break;
        case "--pkl":
          pkl = Path.of(args[++i]);
          break;
        case "--dir":
          dir = Path.of(args[++i]);
          break;
        case "--device":
          device = args[++i];
          break;
        case "--repeat":
          repeat = Integer.parseInt(args[++i]);
          break;
        default:
          throw new IllegalArgumentException(
              "unknown argument "
                  + args[i]
                  + " (expected --params N, --pkl PATH, --dir DIR, --device cpu|gpu, --repeat R)");
      }
    }
    boolean ownDir = dir == null;
    if (ownDir) {
      dir = Files.createTempDirectory("cdm-ckpt-bench");
    }
    Files.createDirectories(dir);
    try {
      run(dir, pkl, params, device, repeat);
    } finally {
      if (ownDir) {
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
          for (Path f : (Iterable<Path>) files::iterator) {
            Files.deleteIfExists(f);
          }
        }
        Files.deleteIfExists(dir);
      }
    }
  }

  private static void run(Path dir, Path pkl, long params, String device, int repeat)
      throws Exception {
    if (pkl == null) {
      pkl = dir.resolve("synthetic-" + params + ".pkl");
      long t0 = System.nanoTime();
      writeSynthetic(pkl, params);
      System.out.printf(
          "wrote synthetic reference checkpoint %s (%.1f MB) in %.2f s%n",
          pkl, Files.size(pkl) / 1e6, (System.nanoTime() - t0) / 1e9);
    }
    double mb = Files.size(pkl) / 1e6;
    Path snap = dir.resolve(pkl.getFileName() + ".safetensors");
    for (int r = 0; r < repeat; r++) {
      long t0 = System.nanoTime();
      ReferenceCheckpoint c = ReferenceCheckpoint.read(pkl);
      Map<String, TensorData> sd = c.network().stateDict();
      long t1 = System.nanoTime();
      NetworkSnapshot s = NetworkSnapshot.fromReference(c);
      s.write(snap);
      long t2 = System.nanoTime();
      NetworkSnapshot back = NetworkSnapshot.read(snap);
      long count = 0;
      for (TensorData t : back.stateDict().values()) {
        count += t.numel();
      }
      long t3 = System.nanoTime();
      double nd;
      try (NDManager m = NDManager.newBaseManager(ai.djl.Device.fromName(device))) {
        long a = System.nanoTime();
        for (TensorData t : back.stateDict().values()) {
          t.toNDArray(m);
        }
        nd = (System.nanoTime() - a) / 1e9;
      }
      System.out.printf(
          "run %d: read .pkl %.3f s (%.0f MB/s, %d tensors), write snapshot %.3f s, read snapshot %.3f s"
              + " (%d elements), to NDArray on %s %.3f s%n",
          r,
          (t1 - t0) / 1e9,
          mb / ((t1 - t0) / 1e9),
          sd.size(),
          (t2 - t1) / 1e9,
          (t3 - t2) / 1e9,
          count,
          device,
          nd);
    }
  }

  /** A DDPM++-like spread of tensor sizes (many small, some large) adding up to {@code params}. */
  static void writeSynthetic(Path path, long params) throws Exception {
    Random r = new Random(1);
    Map<String, SyntheticCheckpoint.View> views = new LinkedHashMap<>();
    long left = params;
    int i = 0;
    while (left > 0) {
      long n = Math.min(left, i % 3 == 2 ? 256 : 1L << (8 + r.nextInt(11)));
      ByteBuffer b = ByteBuffer.allocate((int) n * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (long k = 0; k < n; k++) {
        b.putFloat((float) r.nextGaussian());
      }
      b.flip();
      views.put(
          "t" + i++ + ".weight",
          SyntheticCheckpoint.View.of(TensorData.of(new long[] {n}, TensorDType.FLOAT32, b)));
      left -= n;
    }
    Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
      SyntheticCheckpoint.write(
          out,
          SyntheticCheckpoint.Layout.REFERENCE_PKL,
          "EDMPrecond",
          Map.of("img_resolution", 32L, "img_channels", 3L),
          views);
    }
    Files.move(tmp, path, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }
}

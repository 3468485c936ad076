package dev.cdm.bench.fid;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.cdm.bench.BenchArgs;
import dev.cdm.fid.Detector;
import dev.cdm.fid.Devices;
import dev.cdm.fid.FeatureMoments;
import dev.cdm.fid.FeatureSums;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Feature-extraction throughput of a TorchScript detector, the loop {@code cdm ref}/{@code cdm fid}
 * run per worker: uint8 host images -> device -> {@code forward(img, return_features=True)} ->
 * float64 sums on the device; one host copy of the sums at the end. Mirrors {@code
 * fid/bench/bench_features.py} (the reference's batch loop) for a same-call comparison.
 *
 * <p>Arguments ({@code key=value}): detector=PATH (required), device=cpu|gpu (default cpu),
 * batch=64, res=32, channels=3, warmup=3, iters=10.
 */
public final class FeatureBench {
  private FeatureBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a = BenchArgs.parse(args);
    String detectorPath = a.get("detector");
    if (detectorPath == null) {
      throw new IllegalArgumentException("detector=PATH is required (a TorchScript file)");
    }
    Device device = Devices.parse(a.getOrDefault("device", "cpu"), "device");
    int batch = Integer.parseInt(a.getOrDefault("batch", "64"));
    int res = Integer.parseInt(a.getOrDefault("res", "32"));
    int channels = Integer.parseInt(a.getOrDefault("channels", "3"));
    int warmup = Integer.parseInt(a.getOrDefault("warmup", "3"));
    int iters = Integer.parseInt(a.getOrDefault("iters", "10"));

    byte[] pixels = new byte[batch * channels * res * res];
    new Random(0).nextBytes(pixels);
    try (Detector detector = Detector.load(detectorPath, device);
        NDManager manager = NDManager.newBaseManager(device)) {
      FeatureSums sums = new FeatureSums(manager);
      long start = System.nanoTime();
      for (int i = 0; i < warmup + iters; i++) {
        if (i == warmup) {
          FeatureMoments m = sums.toMoments(); // also a device sync before timing
          sums.reset();
          System.err.println("warm-up done, feature dim " + m.dim());
          start = System.nanoTime();
        }
        try (NDManager step = manager.newSubManager(Device.cpu())) {
          // Host uint8 images, as decoded by the pipeline.
          NDArray images =
              step.create(
                  ByteBuffer.wrap(pixels), new Shape(batch, channels, res, res), DataType.UINT8);
          sums.add(detector.features(images));
        }
      }
      FeatureMoments m = sums.toMoments(); // waits for the device
      double secs = (System.nanoTime() - start) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "java-djl %s engine=%s batch=%d res=%d dim=%d: %.2f ms/batch, %.1f img/s (%d images)%n",
          device,
          Engine.getInstance().getVersion(),
          batch,
          res,
          m.dim(),
          1000 * secs / iters,
          iters * batch / secs,
          m.count());
      sums.close();
    }
  }
}

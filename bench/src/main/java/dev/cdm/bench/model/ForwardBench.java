package dev.cdm.bench.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.cdm.model.io.NetworkLoader;
import dev.cdm.model.precond.PaperNetworks;
import dev.cdm.model.precond.Precision;
import dev.cdm.model.precond.Precond;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Forward throughput of the EDM denoiser: by default the DDPM++ CIFAR-10 network (EDMPrecond +
 * SongUNet, 55.7M parameters, fresh weights), or a network file. Prints one JSON line.
 *
 * <pre>
 * args: [--batch N] [--device cpu|gpu] [--precision fp32|fp16|bf16] [--warmup N] [--iters N]
 *       [--network PATH] [--seed S]
 * defaults: batch 2 on cpu / 256 on gpu, fp32, warmup 2, iters 3 on cpu / 20 on gpu
 * </pre>
 *
 * <p>The engine starts as the product starts it ({@code EngineDefaults}): cuDNN autotuning on (as
 * the reference's bench_sample.py) and TF32 off (as the reference); {@code
 * -Dai.djl.pytorch.cudnn_benchmark=false} and {@code -Dcdm.tf32=true} change them.
 */
public final class ForwardBench {
  private ForwardBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String k = args[i];
      if (!k.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument '" + k + "'");
      }
      String v;
      if (k.contains("=")) {
        v = k.substring(k.indexOf('=') + 1);
        k = k.substring(0, k.indexOf('='));
      } else {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("flag " + k + " needs a value");
        }
        v = args[++i];
      }
      a.put(k.substring(2), v);
    }
    for (String k : a.keySet()) {
      if (!List.of("batch", "device", "precision", "warmup", "iters", "network", "seed")
          .contains(k)) {
        throw new IllegalArgumentException("unknown flag --" + k);
      }
    }
    String dev = a.getOrDefault("device", "cpu");
    boolean gpu = dev.equals("gpu");
    if (!gpu && !dev.equals("cpu")) {
      throw new IllegalArgumentException("--device " + dev + ": expected cpu or gpu");
    }
    Device device = gpu ? Device.gpu() : Device.cpu();
    int batch = Integer.parseInt(a.getOrDefault("batch", gpu ? "256" : "2"));
    Precision precision = Precision.parse(a.getOrDefault("precision", "fp32"));
    int warmup = Integer.parseInt(a.getOrDefault("warmup", "2"));
    int iters = Integer.parseInt(a.getOrDefault("iters", gpu ? "20" : "3"));
    Engine.getInstance().setRandomSeed(Integer.parseInt(a.getOrDefault("seed", "0")));

    try (NDManager root = NDManager.newBaseManager(device)) {
      long t0 = System.nanoTime();
      Precond net =
          a.containsKey("network")
              ? NetworkLoader.load(Path.of(a.get("network")), root)
              : Precond.create("training.networks.EDMPrecond", PaperNetworks.ddpmppCifar10(), root);
      double buildS = (System.nanoTime() - t0) / 1e9;
      net.setPrecision(precision);
      int c = net.imgChannels();
      int r = net.imgResolution();
      NDArray x = root.randomNormal(new Shape(batch, c, r, r)).mul(2f);
      NDArray sigma = root.randomUniform(0.01f, 10f, new Shape(batch));
      NDArray labels = net.labelDim() > 0 ? root.zeros(new Shape(batch, net.labelDim())) : null;
      double[] ms = new double[iters];
      for (int i = -warmup; i < iters; i++) {
        try (NDManager step = root.newSubManager()) {
          long s = System.nanoTime();
          NDArray d = net.denoise(x, sigma, labels, null);
          d.get(0, 0, 0, 0).getFloat(); // waits for the device
          if (i >= 0) {
            ms[i] = (System.nanoTime() - s) / 1e6;
          }
          d.close();
        }
      }
      double[] sorted = ms.clone();
      Arrays.sort(sorted);
      double median = sorted[iters / 2];
      System.out.printf(
          "{\"bench\":\"forward\",\"network\":\"%s\",\"params\":%d,\"device\":\"%s\",\"precision\":\"%s\","
              + "\"batch\":%d,\"resolution\":%d,\"warmup\":%d,\"iters\":%d,\"ms_per_forward_median\":%.3f,"
              + "\"ms_per_forward_min\":%.3f,\"img_per_s\":%.1f,\"build_s\":%.2f,\"tf32_override\":\"%s\"}%n",
          a.getOrDefault("network", "ddpmpp-cifar10-edm").replace("\"", "'"),
          net.parameterCount(),
          device,
          precision.name().toLowerCase(),
          batch,
          r,
          warmup,
          iters,
          median,
          sorted[0],
          batch / (median / 1000),
          buildS,
          EngineSettings.tf32Override());
      net.close();
    }
  }
}

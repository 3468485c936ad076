package dev.cdm.bench.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.cdm.bench.BenchArgs;
import dev.cdm.model.precond.PaperNetworks;
import dev.cdm.model.precond.Precision;
import dev.cdm.model.precond.Precond;
import dev.cdm.model.sampling.EdmSampler;
import dev.cdm.model.sampling.GlobalNoise;
import dev.cdm.model.sampling.ImageQuantizer;
import dev.cdm.model.torch.TorchRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Sampling throughput, as {@code bench_sample.py} measures the reference: the DDPM++ CIFAR-10
 * EDMPrecond (fresh init), {@code edm_sampler} with 18 Heun steps (35 network evaluations), warmed
 * up at the timed batch with a 2-step run. For every reduced precision asked for, the images are
 * compared with the fp32 images from the same latents.
 *
 * <p>Arguments ({@code key=value}): {@code batch} (default 4), {@code device} cpu|gpu (cpu), {@code
 * precisions} comma list of fp32|fp16|bf16 (fp32; fp32 always runs first as the baseline), {@code
 * steps} (18), {@code resolution} (32), {@code channels} (128: model_channels), {@code forwards}
 * (10: timed single forwards). Prints one JSON line per precision.
 *
 * <p>The engine starts as the product starts it ({@code EngineDefaults}): cuDNN autotuning on (as
 * {@code bench_sample.py}) and TF32 off (as the reference); {@code
 * -Dai.djl.pytorch.cudnn_benchmark=false} and {@code -Dcdm.tf32=true} change them.
 */
public final class SamplerBench {
  private SamplerBench() {}

  static Map<String, Object> ddpmppCifar(int resolution, int modelChannels) {
    Map<String, Object> kw = PaperNetworks.ddpmppCifar10();
    kw.put("img_resolution", resolution);
    kw.put("model_channels", modelChannels);
    return kw;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> a = BenchArgs.parse(args);
    int batch = Integer.parseInt(a.getOrDefault("batch", "4"));
    String deviceName = a.getOrDefault("device", "cpu");
    int steps = Integer.parseInt(a.getOrDefault("steps", "18"));
    int resolution = Integer.parseInt(a.getOrDefault("resolution", "32"));
    int channels = Integer.parseInt(a.getOrDefault("channels", "128"));
    int forwards = Integer.parseInt(a.getOrDefault("forwards", "10"));
    List<Precision> precisions = new ArrayList<>();
    precisions.add(Precision.FP32);
    for (String p : a.getOrDefault("precisions", "fp32").split(",")) {
      Precision q = Precision.parse(p.trim());
      if (!precisions.contains(q)) {
        precisions.add(q);
      }
    }
    Device device = deviceName.equals("gpu") ? Device.gpu() : Device.cpu();
    try (NDManager m = NDManager.newBaseManager(device)) {
      TorchRandom.manualSeed(0);
      Precond net = Precond.create("EDMPrecond", ddpmppCifar(resolution, channels), m);
      TorchRandom.manualSeed(1);
      NDArray latents =
          m.randomNormal(0f, 1f, new Shape(batch, 3, resolution, resolution), DataType.FLOAT32);
      NDArray fp32Images = null;
      for (Precision p : precisions) {
        try {
          net.setPrecision(p);
        } catch (UnsupportedOperationException e) {
          System.out.println(
              "{\"bench\":\"sampler\",\"precision\":\""
                  + p.name().toLowerCase(Locale.ROOT)
                  + "\",\"error\":\""
                  + e.getMessage().replace("\"", "'")
                  + "\"}");
          continue;
        }
        // Warm-up at the timed batch (kernel selection, caches of cast weights).
        try (NDManager w = m.newSubManager()) {
          latents.tempAttach(w);
          EdmSampler.builder()
              .numSteps(2)
              .build()
              .sample(net, latents, null, new GlobalNoise())
              .toDoubleArray();
        }
        EdmSampler sampler = EdmSampler.builder().numSteps(steps).build();
        long t0 = System.nanoTime();
        NDArray images;
        try (NDManager run = m.newSubManager()) {
          latents.tempAttach(run);
          NDArray x = sampler.sample(net, latents, null, new GlobalNoise());
          images = ImageQuantizer.toUint8(x);
          images.toByteArray(); // waits for the device
          images.attach(m);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        // One forward alone.
        double forwardMs;
        try (NDManager f = m.newSubManager()) {
          NDArray x =
              f.randomNormal(0f, 1f, new Shape(batch, 3, resolution, resolution), DataType.FLOAT32);
          NDArray s = f.ones(new Shape(batch), DataType.FLOAT32);
          net.denoise(x, s, null).toFloatArray();
          long f0 = System.nanoTime();
          NDArray last = null;
          for (int i = 0; i < forwards; i++) {
            if (last != null) {
              last.close();
            }
            last = net.denoise(x, s, null);
          }
          last.toFloatArray();
          forwardMs = (System.nanoTime() - f0) / 1e6 / forwards;
        }
        StringBuilder json = new StringBuilder();
        json.append(
            String.format(
                Locale.ROOT,
                "{\"bench\":\"sampler\",\"device\":\"%s\",\"precision\":\"%s\",\"tf32_override\":\"%s\",\"cudnn_benchmark\":%s,"
                    + "\"batch\":%d,\"steps\":%d,\"evaluations\":%d,\"seconds\":%.3f,\"img_per_s\":%.2f,"
                    + "\"forward_ms\":%.2f",
                device,
                p.name().toLowerCase(Locale.ROOT),
                EngineSettings.tf32Override(),
                System.getProperty("ai.djl.pytorch.cudnn_benchmark"),
                batch,
                steps,
                2 * steps - 1,
                secs,
                batch / secs,
                forwardMs));
        if (p == Precision.FP32) {
          fp32Images = images;
        } else {
          NDArray diff =
              images
                  .toType(DataType.INT32, false)
                  .sub(fp32Images.toType(DataType.INT32, false))
                  .abs();
          json.append(
              String.format(
                  Locale.ROOT,
                  ",\"max_abs_levels_vs_fp32\":%d,\"mean_abs_levels_vs_fp32\":%.4f,\"frac_pixels_over_1_level\":%.5f",
                  diff.max().getInt(),
                  diff.toType(DataType.FLOAT64, false).mean().getDouble(),
                  diff.gt(1).toType(DataType.FLOAT64, false).mean().getDouble()));
        }
        json.append('}');
        System.out.println(json);
      }
    }
  }
}

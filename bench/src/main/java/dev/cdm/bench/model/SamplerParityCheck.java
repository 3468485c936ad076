package dev.cdm.bench.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.cdm.model.io.NetworkLoader;
import dev.cdm.model.precond.Precision;
import dev.cdm.model.precond.Precond;
import dev.cdm.model.sampling.AblationSampler;
import dev.cdm.model.sampling.EdmSampler;
import dev.cdm.model.sampling.GlobalNoise;
import dev.cdm.model.sampling.Sampler;
import dev.cdm.model.sampling.SeedImages;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Sampler parity on any device: the deterministic sampler outputs of the four fixture networks
 * ({@code edm_heun8}, {@code ablation_*}, from the fixtures' latents) against the reference, and
 * the per-seed stochastic sampler run on the device (its streams are the device's generators, so it
 * is checked for finiteness and reported, not compared with the CPU fixture).
 *
 * <p>Usage: {@code SamplerParityCheck <fixtures dir> [cpu|gpu] [fp32|fp16]}; one JSON line per
 * output; exit status 1 if an fp32 comparison exceeds the fixtures' 1e-3 tolerance.
 */
public final class SamplerParityCheck {
  private SamplerParityCheck() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "model/src/test/resources/fixtures");
    Device device = args.length > 1 && args[1].equals("gpu") ? Device.gpu() : Device.cpu();
    Precision precision = Precision.parse(args.length > 2 ? args[2] : "fp32");
    boolean ok = true;
    for (String name :
        new String[] {"ddpmpp-edm-cond", "ncsnpp-ve-uncond", "adm-vp-cond", "ddpmpp-cdm-gray"}) {
      try (NDManager m = NDManager.newBaseManager(device);
          Precond net = NetworkLoader.load(dir.resolve(name + ".pkl"), m)) {
        net.setPrecision(precision);
        Map<String, NDArray> fx = new LinkedHashMap<>();
        try (InputStream in = Files.newInputStream(dir.resolve(name + ".npz"))) {
          for (NDArray a : NDList.decode(m, in)) {
            fx.put(a.getName(), a.toDevice(device, false));
          }
        }
        NDArray latents = fx.get("latents");
        NDArray labels = fx.get("class_labels");
        Map<String, Sampler> samplers = new LinkedHashMap<>();
        samplers.put("edm_heun8", EdmSampler.builder().numSteps(8).build());
        String[][] abl = {
          {"euler", "vp", "vp", "vp"}, {"heun", "ve", "ve", "none"},
          {"heun", "iddpm", "linear", "none"}, {"euler", "edm", "linear", "none"}
        };
        for (String[] c : abl) {
          samplers.put(
              "ablation_" + String.join("_", c),
              AblationSampler.builder()
                  .numSteps(8)
                  .solver(AblationSampler.Solver.valueOf(c[0].toUpperCase(Locale.ROOT)))
                  .discretization(
                      AblationSampler.Discretization.valueOf(c[1].toUpperCase(Locale.ROOT)))
                  .schedule(AblationSampler.Schedule.valueOf(c[2].toUpperCase(Locale.ROOT)))
                  .scaling(AblationSampler.Scaling.valueOf(c[3].toUpperCase(Locale.ROOT)))
                  .build());
        }
        for (Map.Entry<String, Sampler> e : samplers.entrySet()) {
          long t0 = System.nanoTime();
          NDArray x = e.getValue().sample(net, latents, labels, new GlobalNoise());
          double diff =
              x.sub(fx.get(e.getKey()).toType(DataType.FLOAT64, false)).abs().max().getDouble();
          boolean pass = diff <= 1e-3;
          ok &= pass || precision != Precision.FP32;
          System.out.printf(
              Locale.ROOT,
              "{\"check\":\"sampler_parity\",\"network\":\"%s\",\"key\":\"%s\",\"device\":\"%s\","
                  + "\"precision\":\"%s\",\"max_abs_diff\":%.3g,\"pass_1e-3\":%s,\"seconds\":%.2f}%n",
              name,
              e.getKey(),
              device,
              precision.name().toLowerCase(Locale.ROOT),
              diff,
              pass,
              (System.nanoTime() - t0) / 1e9);
        }
        long[] seeds = fx.get("seeds").toType(DataType.INT64, false).toLongArray();
        EdmSampler churn =
            EdmSampler.builder().numSteps(8).sChurn(40).sMin(0.05).sMax(50).sNoise(1.003).build();
        NDArray x = SeedImages.sample(net, churn, m, seeds, -1);
        long nan = x.isNaN().sum().getLong();
        ok &= nan == 0;
        System.out.printf(
            Locale.ROOT,
            "{\"check\":\"seed_stochastic_finite\",\"network\":\"%s\",\"device\":\"%s\",\"nans\":%d,"
                + "\"max_abs_diff_vs_cpu_fixture\":%.3g}%n",
            name,
            device,
            nan,
            x.sub(fx.get("seed_stochastic_heun8").toType(DataType.FLOAT64, false))
                .abs()
                .max()
                .getDouble());
      }
    }
    System.exit(ok ? 0 : 1);
  }
}

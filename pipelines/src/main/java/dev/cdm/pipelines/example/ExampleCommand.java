package dev.cdm.pipelines.example;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.cdm.model.data.Pixels;
import dev.cdm.model.data.PngCodec;
import dev.cdm.model.precond.Denoiser;
import dev.cdm.model.sampling.ExampleSampler;
import dev.cdm.model.sampling.ImageQuantizer;
import dev.cdm.pipelines.CommandErrors;
import dev.cdm.pipelines.DeviceOption;
import dev.cdm.pipelines.Outputs;
import dev.cdm.transforms.generate.StoredNetwork;
import dev.cdm.transforms.io.AtomicFiles;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code cdm example}: the image grid of the reference's {@code example.py} — one {@code
 * torch.manual_seed}, gridw x gridh latents and labels, the deterministic sampler of {@code
 * example.py} (Euler, or Heun with {@code --sampler=heun}), one PNG.
 */
@Command(
    name = "example",
    mixinStandardHelpOptions = true,
    description = "Sample an image grid with the deterministic sampler of example.py.")
public final class ExampleCommand implements Callable<Integer> {
  /** The deterministic sampler of example.py: Euler (its default) or Heun (second_order). */
  public enum SamplerChoice {
    EULER,
    HEUN
  }

  @Option(
      names = {"--network", "--model_path", "--model-path"},
      required = true,
      paramLabel = "PATH|URL",
      description = "Network pickle (reference .pkl) or our snapshot; path, http(s):// or gs://")
  String network;

  @Option(
      names = {"--output_path", "--output-path", "--dest"},
      required = true,
      paramLabel = "FILE",
      description = "Where to write the grid PNG")
  String output;

  @Option(
      names = "--steps",
      defaultValue = "18",
      paramLabel = "INT",
      description = "Number of sampling steps (default: ${DEFAULT-VALUE})")
  int steps;

  @Option(
      names = "--seed",
      defaultValue = "0",
      paramLabel = "INT",
      description = "torch.manual_seed of the grid (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(
      names = "--gridw",
      defaultValue = "8",
      paramLabel = "INT",
      description = "Grid width (default: ${DEFAULT-VALUE})")
  int gridw;

  @Option(
      names = "--gridh",
      defaultValue = "8",
      paramLabel = "INT",
      description = "Grid height (default: ${DEFAULT-VALUE})")
  int gridh;

  @Option(
      names = "--sampler",
      defaultValue = "euler",
      paramLabel = "euler|heun",
      description =
          "example.py's det_sampler without/with its 2nd order correction (default: ${DEFAULT-VALUE})")
  SamplerChoice sampler;

  @Option(
      names = {"--same_latents", "--same-latents"},
      description = "One latent (and label) for the whole grid")
  boolean sameLatents;

  @Option(
      names = {"--sigma_min", "--sigma-min"},
      defaultValue = "0.002",
      paramLabel = "FLOAT",
      description = "Lowest noise level (default: ${DEFAULT-VALUE})")
  double sigmaMin;

  @Option(
      names = {"--sigma_max", "--sigma-max"},
      defaultValue = "80",
      paramLabel = "FLOAT",
      description = "Highest noise level (default: ${DEFAULT-VALUE})")
  double sigmaMax;

  @Option(
      names = "--rho",
      defaultValue = "7",
      paramLabel = "FLOAT",
      description = "Time step exponent (default: ${DEFAULT-VALUE})")
  double rho;

  @Mixin DeviceOption device;

  @Option(
      names = "--precision",
      defaultValue = "fp32",
      paramLabel = "fp32|fp16",
      description = "Network execution precision on the GPU (default: ${DEFAULT-VALUE})")
  String precision;

  @Override
  public Integer call() throws Exception {
    if (gridw < 1 || gridh < 1) {
      throw CommandErrors.usage("--gridw/--gridh must be at least 1, got " + gridw + "x" + gridh);
    }
    if (steps < 1) {
      throw CommandErrors.usage("--steps must be at least 1, got " + steps);
    }
    Outputs.checkFile("--output_path", output);
    try (NDManager m = NDManager.newBaseManager(device.resolve().get(0))) {
      System.err.println("Loading network from \"" + network + "\"...");
      Denoiser net = StoredNetwork.of(network, precision).load(m);
      int b = gridw * gridh;
      System.err.println("Generating " + b + " images...");
      long t0 = System.nanoTime();
      NDArray x =
          ExampleSampler.sample(
              net,
              m,
              seed,
              b,
              steps,
              sigmaMin,
              sigmaMax,
              rho,
              sameLatents,
              sampler == SamplerChoice.HEUN);
      NDArray grid = ExampleSampler.grid(ImageQuantizer.toUint8(x), gridw, gridh);
      byte[] hwc = grid.toByteArray();
      double secs = (System.nanoTime() - t0) / 1e9;
      System.err.printf(
          java.util.Locale.ROOT, "%d images in %.1f s (%.2f images/s)%n", b, secs, b / secs);
      long[] s = grid.getShape().getShape();
      System.err.println("Saving image grid to \"" + output + "\"...");
      AtomicFiles.write(
          output, PngCodec.encodeCompressed(new Pixels((int) s[1], (int) s[0], (int) s[2], hwc)));
      System.err.println("Done.");
      if (net instanceof AutoCloseable) {
        ((AutoCloseable) net).close();
      }
    }
    return 0;
  }
}

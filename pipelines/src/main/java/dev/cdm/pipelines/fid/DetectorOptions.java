package dev.cdm.pipelines.fid;

import dev.cdm.fid.Detector;
import dev.cdm.model.io.Sources;
import dev.cdm.pipelines.CommandErrors;
import dev.cdm.pipelines.DeviceOption;
import dev.cdm.transforms.fid.ExtractStatistics;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The feature-detector flags that {@code cdm ref} and {@code cdm fid} share (a picocli mixin). */
public final class DetectorOptions {
  @Option(
      names = "--batch",
      defaultValue = "64",
      paramLabel = "INT",
      description = "Maximum batch size (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(
      names = "--detector",
      defaultValue = Detector.INCEPTION_URL,
      paramLabel = "PT|URL|mnist",
      description =
          "Feature detector: a TorchScript file (path, http(s) URL or gs://; default: Inception-v3),"
              + " or 'mnist' for the project's MNIST classifier (FID-MNIST; also a .safetensors of its weights).")
  String detector;

  @Mixin DeviceOption device;

  /** Checks --batch and --device, so that a bad flag fails before the pipeline. */
  void checkFlags() {
    if (batch < 1) {
      throw CommandErrors.usage("--batch must be at least 1, got " + batch);
    }
    device.resolve();
  }

  /** Fetches (or finds) the detector: a missing or unreachable file fails before the pipeline. */
  void fetch() throws java.io.IOException {
    if (!Detector.isMnist(detector)) {
      Sources.open(detector, "--detector");
    }
  }

  /** What the FID computed with this detector is called: FID-MNIST for the MNIST classifier. */
  String metricName() {
    return Detector.isMnist(detector) ? "FID-MNIST" : "FID";
  }

  /** {@link #checkFlags} then {@link #fetch}. */
  void check() throws java.io.IOException {
    checkFlags();
    fetch();
  }

  /** Feature statistics with this detector on this device, for {@code expectedImages} images. */
  ExtractStatistics statistics(long expectedImages) {
    return ExtractStatistics.builder()
        .setDetector(detector)
        .setDevice(device.device)
        .setMaxBatch(batch)
        .setExpectedImages(expectedImages)
        .build();
  }
}

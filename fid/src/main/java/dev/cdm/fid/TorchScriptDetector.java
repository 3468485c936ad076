package dev.cdm.fid;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.cdm.model.torch.Autograd;
import dev.cdm.model.torch.ScriptModule;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A TorchScript feature network with the call signature of the StyleGAN2-ADA/EDM Inception-v3
 * detector: {@code forward(img [N, 3, H, W] in 0..255, return_features: bool) -> [N, D]}. Called
 * like the reference's {@code calculate_inception_stats}: the images go in as they were decoded
 * (uint8), 1-channel images repeated to 3 channels, with {@code return_features=True}. The feature
 * size D is whatever the network returns (2048 for Inception-v3).
 *
 * <p>Thread-safe: TorchScript inference does not mutate the module, so one instance per worker
 * serves every thread.
 */
public final class TorchScriptDetector implements Detector {
  private final String source;
  private final NDManager manager;
  private final ScriptModule module;

  private TorchScriptDetector(String source, NDManager manager, ScriptModule module) {
    this.source = source;
    this.manager = manager;
    this.module = module;
  }

  /**
   * Loads a detector from a path, http(s) URL (downloaded once, cached by URL) or {@code gs://} URI
   * onto {@code device}.
   */
  public static TorchScriptDetector load(String spec, Device device) throws IOException {
    return load(dev.cdm.model.io.Sources.open(spec, "--detector"), spec, device);
  }

  /** Loads a TorchScript file; {@code source} names it in errors. */
  public static TorchScriptDetector load(Path file, String source, Device device)
      throws IOException {
    NDManager manager = NDManager.newBaseManager(device, "PyTorch");
    try {
      ScriptModule module = ScriptModule.loadForInference(file, manager);
      return new TorchScriptDetector(source, manager, module);
    } catch (RuntimeException e) {
      manager.close();
      throw new IOException(
          "--detector=" + source + ": not a loadable TorchScript module: " + e.getMessage(), e);
    }
  }

  @Override
  public Device device() {
    return manager.getDevice();
  }

  @Override
  public String name() {
    return source;
  }

  @Override
  public NDArray features(NDArray images) {
    return forward(images, true);
  }

  /**
   * Class probabilities of a batch, [N, C] float32: the detector called with {@code
   * return_features=False}, which for the StyleGAN/EDM Inception detector is the softmax of its
   * logits (the input of the Inception Score). Null when the detector has no such output: the call
   * fails, or the rows are not probability vectors (non-negative, summing to 1).
   */
  @Override
  public NDArray probabilities(NDArray images) {
    NDArray p;
    try {
      p = forward(images, false);
    } catch (RuntimeException e) {
      return null;
    }
    boolean valid;
    try (NDManager scope = p.getManager().newSubManager()) {
      NDArray rowSums = p.sum(new int[] {1});
      rowSums.tempAttach(scope);
      NDArray minimum = p.min();
      minimum.tempAttach(scope);
      NDArray worst = rowSums.sub(1).abs().max();
      worst.tempAttach(scope);
      valid = minimum.getFloat() >= 0 && worst.getFloat() < 1e-3f;
    }
    if (!valid) {
      p.close();
      return null;
    }
    return p;
  }

  private NDArray forward(NDArray images, boolean returnFeatures) {
    Shape s = images.getShape();
    if (s.dimension() != 4 || (s.get(1) != 1 && s.get(1) != 3)) {
      throw new IllegalArgumentException(
          "detector input must be [N, 1 or 3, H, W] images, got " + s + " (" + source + ")");
    }
    NDManager owner = images.getManager();
    try (NDManager scope = manager.newSubManager()) {
      NDArray x = images.toDevice(device(), false);
      x.tempAttach(scope);
      if (s.get(1) == 1) {
        // The reference: images.repeat([1, 3, 1, 1]) for grayscale.
        x = x.tile(new long[] {1, 3, 1, 1});
      }
      // Inference only: no autograd graph is recorded for the module's parameters. Grad mode is
      // per thread; noGrad restores it so that a caller that trains on this thread is unaffected.
      NDArray input = x;
      return Autograd.noGrad(
          () -> {
            NDArray f;
            try {
              f = module.forward(input, returnFeatures, scope);
            } catch (IllegalStateException e) {
              throw new IllegalStateException("detector " + source + " " + e.getMessage(), e);
            }
            NDArray result = f.reshape(s.get(0), -1).toType(DataType.FLOAT32, false);
            result.attach(owner);
            return result;
          });
    }
  }

  @Override
  public void close() {
    module.close();
    manager.close();
  }
}

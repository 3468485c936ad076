package dev.cdm.fid;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import java.io.IOException;

/**
 * A feature network for FID: images in, one feature vector per image out. Two kinds exist: the
 * reference's TorchScript detectors (Inception-v3; {@link TorchScriptDetector}) and the project's
 * own MNIST classifier ({@link MnistDetector}, whose FID is reported as FID-MNIST). Both take the
 * images as the reference's {@code calculate_inception_stats} hands them over: [N, 1 or 3, H, W],
 * uint8 (or float) in 0..255.
 *
 * <p>Implementations are thread-safe: one instance per worker serves every thread.
 */
public interface Detector extends AutoCloseable {
  /** The reference's detector as TorchScript (the reference loads a pickle wrapping this file). */
  String INCEPTION_URL =
      "https://nvlabs-fi-cdn.nvidia.com/stylegan2-ada-pytorch/pretrained/metrics/inception-2015-12-05.pt";

  /** The {@code --detector} value that selects the built-in MNIST classifier. */
  String MNIST = "mnist";

  /**
   * The detector that {@code spec} names, on {@code device}: {@value #MNIST} (the built-in MNIST
   * classifier), a {@code .safetensors} file of MNIST classifier weights, or a TorchScript file as
   * a path, http(s) URL (downloaded once, cached by URL) or {@code gs://} URI.
   */
  static Detector load(String spec, Device device) throws IOException {
    if (MnistDetector.accepts(spec)) {
      return MnistDetector.load(spec, device);
    }
    return TorchScriptDetector.load(spec, device);
  }

  /** True when {@code spec} names the MNIST classifier: its FID is labelled FID-MNIST. */
  static boolean isMnist(String spec) {
    return MnistDetector.accepts(spec);
  }

  /** Where the detector came from (its {@code --detector} value), for messages. */
  String name();

  Device device();

  /**
   * Features of a batch of images [N, C, H, W] (C = 1 or 3; uint8 or float in 0..255), as float32
   * [N, D] on the detector's device, attached to the images' manager.
   */
  NDArray features(NDArray images);

  /**
   * Class probabilities of a batch, [N, C] float32 (the input of the Inception Score), or null when
   * the detector has no such output.
   */
  default NDArray probabilities(NDArray images) {
    return null;
  }

  /**
   * Per-class scores of a batch, [N, C], whose largest entry is the predicted class (logits or
   * probabilities; for a classifier's accuracy), or null when the detector is no classifier. By
   * default the {@link #probabilities}.
   */
  default NDArray classScores(NDArray images) {
    return probabilities(images);
  }

  @Override
  void close();
}

package dev.cdm.fid;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.cdm.model.torch.Autograd;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * The {@link MnistClassifier} as an FID detector (FID-MNIST) and a digit classifier for generated
 * images. {@code --detector=mnist} is the classifier shipped with the project (trained by {@code
 * cdm detector train}); a {@code .safetensors} path loads other weights of the same network.
 *
 * <p>Images as every detector takes them: [N, 1 or 3, H, W], uint8 (or float) in 0..255. Three
 * channels are averaged to one (a grayscale image repeated to RGB comes back unchanged). The
 * network sees MNIST as {@code cdm dataset} writes it, 32x32 with the 28x28 digit zero-padded by 2;
 * 28x28 images (raw MNIST) are padded the same way; any other size is refused (resizing would
 * change the statistics the FID compares).
 */
public final class MnistDetector implements Detector {
  /** The shipped weights, a class-path resource beside this class. */
  public static final String RESOURCE = "mnist-classifier.safetensors";

  private final String source;
  private final NDManager manager;
  private final MnistClassifier net;

  private MnistDetector(String source, NDManager manager, MnistClassifier net) {
    this.source = source;
    this.manager = manager;
    this.net = net;
  }

  /** True for {@code mnist} and for {@code *.safetensors} specs. */
  static boolean accepts(String spec) {
    String s = spec.toLowerCase(Locale.ROOT);
    return s.equals(MNIST) || s.endsWith(".safetensors");
  }

  /** {@code mnist} (the shipped weights) or a {@code .safetensors} path/URL, on {@code device}. */
  public static MnistDetector load(String spec, Device device) throws IOException {
    if (spec.equalsIgnoreCase(MNIST)) {
      return builtIn(device);
    }
    return load(dev.cdm.model.io.Sources.open(spec, "--detector"), spec, device);
  }

  /** The classifier shipped with the project. */
  public static MnistDetector builtIn(Device device) throws IOException {
    Path tmp = Files.createTempFile("cdm-mnist-classifier", ".safetensors");
    try (InputStream in = MnistDetector.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IOException(
            "--detector=mnist: the built-in weights "
                + RESOURCE
                + " are missing from the class path (run 'cdm detector train')");
      }
      Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
      return load(tmp, MNIST, device);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Weights from a safetensors file; {@code source} names it in errors. */
  public static MnistDetector load(Path file, String source, Device device) throws IOException {
    NDManager manager = NDManager.newBaseManager(device, "PyTorch");
    try {
      return new MnistDetector(
          source, manager, MnistClassifier.load(file, "--detector=" + source, manager));
    } catch (IOException | RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /** Wraps an in-memory classifier (training, tests); closing the detector closes it. */
  public static MnistDetector of(MnistClassifier net, String source) {
    return new MnistDetector(source, net.manager(), net);
  }

  @Override
  public String name() {
    return source;
  }

  @Override
  public Device device() {
    return manager.getDevice();
  }

  /**
   * The penultimate layer [N, 128], float32 on the detector's device, attached to the images'
   * manager.
   */
  @Override
  public NDArray features(NDArray images) {
    return run(images, 0);
  }

  /** The logits [N, 10], float32, attached to the images' manager. */
  public NDArray logits(NDArray images) {
    return run(images, 1);
  }

  /** The logits: their argmax is the predicted digit. */
  @Override
  public NDArray classScores(NDArray images) {
    return logits(images);
  }

  /** The predicted digit of each image. */
  public int[] classify(NDArray images) {
    try (NDArray logits = logits(images);
        NDArray arg = logits.argMax(1)) {
      long[] l = arg.toType(DataType.INT64, false).toLongArray();
      int[] out = new int[l.length];
      for (int i = 0; i < l.length; i++) {
        out[i] = (int) l[i];
      }
      return out;
    }
  }

  private NDArray run(NDArray images, int output) {
    Shape s = images.getShape();
    long h = s.dimension() == 4 ? s.get(2) : -1;
    if (s.dimension() != 4
        || (s.get(1) != 1 && s.get(1) != 3)
        || h != s.get(3)
        || (h != MnistClassifier.RESOLUTION && h != 28)) {
      throw new IllegalArgumentException(
          "the MNIST detector takes [N, 1 or 3, 32, 32] (or 28x28)"
              + " images, got "
              + s
              + " ("
              + source
              + ")");
    }
    NDManager owner = images.getManager();
    return Autograd.noGrad(
        () -> {
          try (NDManager scope = manager.newSubManager()) {
            NDArray x = images.toDevice(device(), false).toType(DataType.FLOAT32, false);
            x.tempAttach(scope);
            if (s.get(1) == 3) {
              x = x.mean(new int[] {1}, true);
            }
            if (h == 28) {
              x = x.pad(new Shape(2, 2, 2, 2), 0);
            }
            NDList out = net.forward(net.input(x));
            NDArray result = out.get(output);
            result.attach(owner);
            return result;
          }
        });
  }

  @Override
  public void close() {
    manager.close(); // the network's arrays live in it (or in a sub-manager of it)
  }
}

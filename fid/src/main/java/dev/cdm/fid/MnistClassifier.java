package dev.cdm.fid;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.cdm.model.io.SafetensorsFile;
import dev.cdm.model.io.TensorData;
import dev.cdm.model.nn.Ops;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The project's MNIST digit classifier, the feature network of FID-MNIST: a small CNN on 32x32
 * grayscale digits (MNIST zero-padded by 2 on every side, as {@code cdm dataset} writes it).
 *
 * <pre>
 *   x [N, 1, 32, 32] in -1..1
 *   conv1 3x3 1->16, ReLU, max-pool 2     [N, 16, 16, 16]
 *   conv2 3x3 16->32, ReLU, max-pool 2    [N, 32, 8, 8]
 *   conv3 3x3 32->64, ReLU, max-pool 2    [N, 64, 4, 4]
 *   fc1 1024->128, ReLU                   [N, 128]   the features (penultimate layer)
 *   fc2 128->10                           [N, 10]    the logits
 * </pre>
 *
 * <p>Parameters are named like a torch {@code state_dict} ({@code conv1.weight}, ...) and stored as
 * one safetensors file. Initial weights are drawn from a {@link SplittableRandom} with a given seed
 * (uniform in ±1/√fan_in, biases zero), so a training run is reproducible on any machine.
 */
public final class MnistClassifier implements AutoCloseable {
  public static final int RESOLUTION = 32;
  public static final int CLASSES = 10;
  public static final int FEATURES = 128;

  private static final String[] CONVS = {"conv1", "conv2", "conv3"};
  private static final int[][] CONV_SHAPES = {{16, 1}, {32, 16}, {64, 32}};

  private final NDManager manager;
  private final LinkedHashMap<String, NDArray> params;

  private MnistClassifier(NDManager manager, LinkedHashMap<String, NDArray> params) {
    this.manager = manager;
    this.params = params;
  }

  /** A freshly initialised network on {@code parent}'s device (a sub-manager of it). */
  public static MnistClassifier initial(NDManager parent, long seed) {
    NDManager m = parent.newSubManager();
    SplittableRandom random = new SplittableRandom(seed);
    LinkedHashMap<String, NDArray> p = new LinkedHashMap<>();
    for (int i = 0; i < CONVS.length; i++) {
      int out = CONV_SHAPES[i][0];
      int in = CONV_SHAPES[i][1];
      p.put(CONVS[i] + ".weight", uniform(m, random, new Shape(out, in, 3, 3), in * 9));
      p.put(CONVS[i] + ".bias", m.zeros(new Shape(out)));
    }
    p.put("fc1.weight", uniform(m, random, new Shape(FEATURES, 64 * 4 * 4), 64 * 4 * 4));
    p.put("fc1.bias", m.zeros(new Shape(FEATURES)));
    p.put("fc2.weight", uniform(m, random, new Shape(CLASSES, FEATURES), FEATURES));
    p.put("fc2.bias", m.zeros(new Shape(CLASSES)));
    return new MnistClassifier(m, p);
  }

  private static NDArray uniform(NDManager m, SplittableRandom random, Shape shape, int fanIn) {
    float bound = (float) (1 / Math.sqrt(fanIn));
    float[] v = new float[Math.toIntExact(shape.size())];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
    }
    return m.create(v, shape);
  }

  /** Reads weights written by {@link #save}; errors name {@code source}. */
  public static MnistClassifier load(Path file, String source, NDManager parent)
      throws IOException {
    SafetensorsFile f = SafetensorsFile.read(file);
    MnistClassifier expected = initial(parent, 0);
    NDManager m = expected.manager;
    LinkedHashMap<String, NDArray> p = new LinkedHashMap<>();
    for (Map.Entry<String, NDArray> e : expected.params.entrySet()) {
      TensorData t = f.tensors().get(e.getKey());
      Shape want = e.getValue().getShape();
      if (t == null || !new Shape(t.shape()).equals(want)) {
        expected.close();
        throw new IOException(
            source
                + ": not MNIST classifier weights (tensor "
                + e.getKey()
                + (t == null ? " missing" : " has shape " + new Shape(t.shape()))
                + ", expected "
                + want
                + ")");
      }
      NDArray cpu = t.toNDArray(m).toType(DataType.FLOAT32, false);
      p.put(e.getKey(), cpu.toDevice(m.getDevice(), true));
      e.getValue().close();
    }
    return new MnistClassifier(m, p);
  }

  /** Writes the weights (float32 safetensors, temp name + rename) with {@code metadata}. */
  public void save(Path file, Map<String, String> metadata) throws IOException {
    Map<String, TensorData> out = new LinkedHashMap<>();
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      out.put(e.getKey(), TensorData.fromNDArray(e.getValue()));
    }
    SafetensorsFile.write(file, out, metadata);
  }

  /** The parameters by name, in state-dict order (the arrays themselves, not copies). */
  public LinkedHashMap<String, NDArray> parameters() {
    return params;
  }

  public NDManager manager() {
    return manager;
  }

  /**
   * Scales uint8-range pixels [N, 1, 32, 32] (any dtype, 0..255) to the network's input: float32 in
   * -1..1, on the network's device.
   */
  public NDArray input(NDArray pixels) {
    NDArray x = pixels.toDevice(manager.getDevice(), false).toType(DataType.FLOAT32, false);
    return x.div(127.5f).sub(1f);
  }

  /**
   * The penultimate layer [N, 128] (after its ReLU) and the logits [N, 10], for inputs from {@link
   * #input}.
   */
  public NDList forward(NDArray x) {
    NDArray h = x;
    for (String c : CONVS) {
      h = Ops.conv2d(h, params.get(c + ".weight"), params.get(c + ".bias"), 1, 1, 1);
      h = h.getNDArrayInternal().relu();
      h = h.getNDArrayInternal().maxPool(new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false);
    }
    h = h.reshape(h.getShape().get(0), -1);
    NDArray features =
        h.getNDArrayInternal()
            .linear(h, params.get("fc1.weight"), params.get("fc1.bias"))
            .singletonOrThrow()
            .getNDArrayInternal()
            .relu();
    NDArray logits =
        features
            .getNDArrayInternal()
            .linear(features, params.get("fc2.weight"), params.get("fc2.bias"))
            .singletonOrThrow();
    return new NDList(features, logits);
  }

  @Override
  public void close() {
    manager.close();
  }
}

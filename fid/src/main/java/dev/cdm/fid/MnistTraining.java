package dev.cdm.fid;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.cdm.model.data.DatasetLabels;
import dev.cdm.model.data.ImageArchive;
import dev.cdm.model.data.Pixels;
import dev.cdm.model.torch.Autograd;
import dev.cdm.model.training.Adam;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongConsumer;

/**
 * Deterministic training of the {@link MnistClassifier}: cross-entropy, Adam, a fixed number of
 * epochs over the training digits in an order drawn from the seed. Every number depends only on the
 * seed and the data (single-threaded CPU kernels: run with {@code OMP_NUM_THREADS=1}).
 */
public final class MnistTraining {
  private MnistTraining() {}

  /** Labelled 32x32 grayscale digits in memory: {@code pixels[i * 1024 + y * 32 + x]}. */
  public record Digits(byte[] pixels, int[] labels) {
    public int size() {
      return labels.length;
    }

    /**
     * The digits of a dataset archive written by {@code cdm dataset} (32x32, 1 channel, labels).
     */
    public static Digits read(ImageArchive archive, String what) throws IOException {
      if (!archive.hasLabels()) {
        throw new IOException(
            what + "=" + archive.path() + ": the dataset has no labels (dataset.json)");
      }
      int n = archive.size();
      int px = MnistClassifier.RESOLUTION * MnistClassifier.RESOLUTION;
      byte[] pixels = new byte[n * px];
      int[] labels = new int[n];
      DatasetLabels.Table table = archive.labelTable();
      for (int i = 0; i < n; i++) {
        Pixels p = archive.pixels(i);
        if (p.channels() != 1
            || p.width() != MnistClassifier.RESOLUTION
            || p.height() != MnistClassifier.RESOLUTION) {
          throw new IOException(
              what
                  + "="
                  + archive.path()
                  + ": expected 32x32 grayscale MNIST as 'cdm dataset'"
                  + " writes it, image "
                  + archive.names().get(i)
                  + " is "
                  + p.width()
                  + "x"
                  + p.height()
                  + "x"
                  + p.channels());
        }
        System.arraycopy(p.data(), 0, pixels, i * px, px);
        labels[i] = (int) table.classOf(i);
        if (labels[i] < 0 || labels[i] >= MnistClassifier.CLASSES) {
          throw new IOException(
              what
                  + "="
                  + archive.path()
                  + ": label "
                  + labels[i]
                  + " of "
                  + archive.names().get(i)
                  + " is not a digit");
        }
      }
      return new Digits(pixels, labels);
    }

    /** Digits {@code idx} as uint8 [n, 1, 32, 32] on {@code m}. */
    NDArray images(NDManager m, int[] idx) {
      int px = MnistClassifier.RESOLUTION * MnistClassifier.RESOLUTION;
      byte[] b = new byte[idx.length * px];
      for (int i = 0; i < idx.length; i++) {
        System.arraycopy(pixels, idx[i] * px, b, i * px, px);
      }
      return m.create(
          java.nio.ByteBuffer.wrap(b),
          new Shape(idx.length, 1, 32, 32),
          ai.djl.ndarray.types.DataType.UINT8);
    }
  }

  /** The hyper-parameters of a training run. */
  public record Settings(long seed, int epochs, int batch, double lr) {
    /** What {@code cdm detector train} uses by default (the shipped weights). */
    public static Settings defaults() {
      return new Settings(0, 3, 64, 1e-3);
    }
  }

  /**
   * Trains a fresh network on {@code train}; {@code onImages} hears of every batch done (for a
   * progress meter). The learning rate is halved after each epoch.
   */
  public static MnistClassifier train(
      Digits train, Settings s, NDManager manager, LongConsumer onImages) {
    MnistClassifier net = MnistClassifier.initial(manager, s.seed());
    for (NDArray p : net.parameters().values()) {
      p.setRequiresGradient(true);
    }
    Adam adam = new Adam();
    SplittableRandom order = new SplittableRandom(s.seed() ^ 0x5DEECE66DL);
    int n = train.size();
    for (int epoch = 0; epoch < s.epochs(); epoch++) {
      int[] perm = permutation(n, order);
      double lr = s.lr() / (1 << epoch);
      for (int start = 0; start < n; start += s.batch()) {
        int[] idx = java.util.Arrays.copyOfRange(perm, start, Math.min(n, start + s.batch()));
        step(net, adam, train, idx, lr);
        onImages.accept(idx.length);
      }
    }
    for (NDArray p : net.parameters().values()) {
      p.setRequiresGradient(false);
    }
    return net;
  }

  private static void step(MnistClassifier net, Adam adam, Digits train, int[] idx, double lr) {
    try (NDManager scope = net.manager().newSubManager()) {
      NDArray images = train.images(scope, idx);
      float[] onehot = new float[idx.length * MnistClassifier.CLASSES];
      for (int i = 0; i < idx.length; i++) {
        onehot[i * MnistClassifier.CLASSES + train.labels()[idx[i]]] = 1;
      }
      NDArray target = scope.create(onehot, new Shape(idx.length, MnistClassifier.CLASSES));
      Autograd.withGrad(
          () -> {
            NDArray logits = net.forward(net.input(images)).get(1);
            NDArray loss = logits.logSoftmax(1).mul(target).sum().neg().div(idx.length);
            Autograd.backward(loss);
            return null;
          });
      List<NDArray> grads = new ArrayList<>();
      for (NDArray p : net.parameters().values()) {
        grads.add(p.getGradient());
      }
      NDArray flat = Autograd.noGrad(() -> Adam.flatten(grads));
      flat.attach(scope);
      adam.update(net.parameters(), flat, lr);
      for (NDArray p : net.parameters().values()) {
        Autograd.zeroGrad(p);
      }
    }
  }

  private static int[] permutation(int n, SplittableRandom random) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** The fraction of {@code digits} that {@code detector} classifies correctly. */
  public static double accuracy(MnistDetector detector, Digits digits, int batch) {
    long correct = 0;
    try (NDManager scope = NDManager.newBaseManager(detector.device())) {
      for (int start = 0; start < digits.size(); start += batch) {
        int[] idx = new int[Math.min(batch, digits.size() - start)];
        for (int i = 0; i < idx.length; i++) {
          idx[i] = start + i;
        }
        try (NDManager b = scope.newSubManager()) {
          int[] pred = detector.classify(digits.images(b, idx));
          for (int i = 0; i < idx.length; i++) {
            correct += pred[i] == digits.labels()[idx[i]] ? 1 : 0;
          }
        }
      }
    }
    return correct / (double) digits.size();
  }
}

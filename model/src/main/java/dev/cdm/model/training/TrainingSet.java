package dev.cdm.model.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.cdm.model.data.DatasetLabels;
import dev.cdm.model.data.ImageArchive;
import dev.cdm.model.data.Pixels;
import dev.cdm.model.nn.HostScalars;
import dev.cdm.model.nn.Ops;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The training images as the reference's {@code ImageFolderDataset} serves them: square images of
 * one resolution, optional labels from dataset.json ({@code use_labels}: class numbers one-hot,
 * label vectors as they are), optional x-flip doubling (indices past the end are mirrored copies),
 * optional in-memory cache of the decoded pixels, decoded by {@code workers} loader threads.
 *
 * <p>Order: an infinite stream of shuffled epochs, where epoch {@code e} is a permutation drawn
 * from (seed, e). Position {@code k} of the stream is a pure function of k, so the batch of any
 * step is determined by the number of images seen; that is what lets {@code --resume} continue with
 * exactly the data an uninterrupted run would have used. (The reference's InfiniteSampler shuffles
 * with a window instead; the distribution of batches is the same, the order is not.)
 */
public final class TrainingSet implements BatchSource, Closeable {
  private final ImageArchive archive;
  private final boolean useLabels;
  private final boolean xflip;
  private final int labelDim;
  private final DatasetLabels.Table labels; // null when not used
  private final int channels;
  private final int resolution;
  private final long seed;
  private final AtomicReferenceArray<byte[]> cache; // null = no cache
  private final ExecutorService workers;
  private long permEpoch = -1;
  private int[] perm;

  public TrainingSet(
      ImageArchive archive, boolean useLabels, boolean xflip, boolean cache, int workers, long seed)
      throws IOException {
    this.archive = archive;
    this.useLabels = useLabels;
    this.xflip = xflip;
    this.seed = seed;
    if (archive.size() == 0) {
      throw new IllegalArgumentException("--data: no images in " + archive.path());
    }
    if (useLabels && !archive.hasLabels()) {
      throw new IllegalArgumentException(
          "--cond=true requires labels specified in dataset.json of " + archive.path());
    }
    Pixels first = archive.pixels(0);
    if (first.width() != first.height()) {
      throw new IllegalArgumentException(
          "--data: images must be square, "
              + archive.names().get(0)
              + " in "
              + archive.path()
              + " is "
              + first.width()
              + "x"
              + first.height());
    }
    this.channels = first.channels();
    this.resolution = first.width();
    this.labels = useLabels ? archive.labelTable() : null;
    this.labelDim = labels == null ? 0 : labels.dim();
    if (useLabels && labelDim == 0) {
      throw new IllegalArgumentException(
          "--cond=true requires labels specified in dataset.json of "
              + archive.path()
              + " (its labels have dimension 0)");
    }
    this.cache = cache ? new AtomicReferenceArray<>(archive.size()) : null;
    this.workers =
        Executors.newFixedThreadPool(
            Math.max(1, workers),
            r -> {
              Thread t = new Thread(r, "cdm-loader");
              t.setDaemon(true);
              return t;
            });
  }

  /** Images in one epoch (doubled by x-flip). */
  public long size() {
    return (long) archive.size() * (xflip ? 2 : 1);
  }

  public int resolution() {
    return resolution;
  }

  public int channels() {
    return channels;
  }

  public int labelDim() {
    return labelDim;
  }

  /** The dataset name as the reference derives it (file name without extension). */
  public String name() {
    String f = archive.path().getFileName().toString();
    int dot = f.lastIndexOf('.');
    return dot > 0 && !java.nio.file.Files.isDirectory(archive.path()) ? f.substring(0, dot) : f;
  }

  /** Dataset index at position {@code k} of the infinite shuffled stream. */
  public synchronized int indexAt(long k) {
    long n = size();
    long epoch = k / n;
    if (epoch != permEpoch) {
      SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
      perm = new int[(int) n];
      for (int i = 0; i < n; i++) {
        perm[i] = i;
      }
      for (int i = (int) n - 1; i > 0; i--) {
        int j = r.nextInt(i + 1);
        int t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
      }
      permEpoch = epoch;
    }
    return perm[(int) (k % n)];
  }

  private byte[] raw(int rawIdx) {
    byte[] px = cache == null ? null : cache.get(rawIdx);
    if (px == null) {
      Pixels p = archive.pixels(rawIdx);
      if (p.width() != resolution || p.height() != resolution || p.channels() != channels) {
        throw new IllegalArgumentException(
            "--data: image "
                + archive.names().get(rawIdx)
                + " in "
                + archive.path()
                + " is "
                + p.channels()
                + "x"
                + p.height()
                + "x"
                + p.width()
                + ", expected "
                + channels
                + "x"
                + resolution
                + "x"
                + resolution);
      }
      px = p.chw();
      if (cache != null) {
        cache.set(rawIdx, px);
      }
    }
    return px;
  }

  /**
   * A batch on the host: uint8 CHW pixels and labels, for the stream positions [start,
   * start+count).
   */
  @Override
  public HostBatch batch(long start, int count) {
    int pix = channels * resolution * resolution;
    byte[] data = new byte[count * pix];
    float[] labels = new float[count * labelDim];
    List<Future<?>> jobs = new ArrayList<>();
    for (int b = 0; b < count; b++) {
      final int bb = b;
      jobs.add(
          workers.submit(
              () -> {
                int idx = indexAt(start + bb);
                int rawIdx = (int) (idx % archive.size());
                byte[] px = raw(rawIdx);
                if (xflip && idx >= archive.size()) {
                  for (int c = 0; c < channels; c++) {
                    for (int y = 0; y < resolution; y++) {
                      int o = bb * pix + (c * resolution + y) * resolution;
                      int s = (c * resolution + y) * resolution;
                      for (int x = 0; x < resolution; x++) {
                        data[o + x] = px[s + resolution - 1 - x];
                      }
                    }
                  }
                } else {
                  System.arraycopy(px, 0, data, bb * pix, pix);
                }
                if (labelDim > 0) {
                  this.labels.write(rawIdx, labels, bb * labelDim);
                }
              }));
    }
    for (Future<?> f : jobs) {
      try {
        f.get();
      } catch (Exception e) {
        Throwable c = e.getCause() != null ? e.getCause() : e;
        throw c instanceof RuntimeException ? (RuntimeException) c : new RuntimeException(c);
      }
    }
    return new HostBatch(data, labels, count, channels, resolution, labelDim);
  }

  /** A decoded batch on the host, ready to be uploaded to a replica's device. */
  public record HostBatch(
      byte[] pixels, float[] labels, int count, int channels, int resolution, int labelDim) {

    /**
     * images / 127.5 − 1 as float32 [N,C,H,W], and labels [N, labelDim] on {@code manager}'s
     * device.
     */
    public NDArray[] toDevice(NDManager manager) {
      NDArray u8 =
          manager.create(
              java.nio.ByteBuffer.wrap(pixels),
              new Shape(count, channels, resolution, resolution),
              DataType.UINT8);
      NDArray images =
          HostScalars.addi(HostScalars.divi(u8.toType(DataType.FLOAT32, false), 127.5), -1);
      // Owned by libtorch: autograd keeps the labels for the label-embedding's weight gradient,
      // and the replicas take views of them, so the host buffer must not be the storage.
      NDArray lab = Ops.owned(manager.create(labels, new Shape(count, labelDim)));
      return new NDArray[] {images, lab};
    }
  }

  @Override
  public void close() throws IOException {
    workers.shutdownNow();
    archive.close();
  }
}

package dev.cdm.pipelines.demo;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.cdm.fid.FeatureSums;
import dev.cdm.fid.FrechetDistance;
import dev.cdm.fid.GaussianStatistics;
import dev.cdm.fid.MnistDetector;
import dev.cdm.model.io.NetworkLoader;
import dev.cdm.model.precond.Precond;
import dev.cdm.model.sampling.ImageQuantizer;
import dev.cdm.model.sampling.Sampler;
import dev.cdm.model.sampling.SamplerSpec;
import dev.cdm.model.sampling.SeedImages;
import dev.cdm.model.data.Pixels;
import dev.cdm.model.data.PngCodec;
import dev.cdm.transforms.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongConsumer;

/**
 * Evaluates one network snapshot of a class-conditional MNIST model, in this process: for every
 * class, {@code perClass} samples (seeds 0..perClass-1, the class forced, the EDM sampler) are
 * classified by the MNIST classifier and their classifier features pooled into one FID-MNIST
 * against the reference statistics; the first {@code gridColumns} samples of each class form one
 * row of a sample grid (PNG).
 *
 * <p>This is the demo's only evaluation call site ({@link #evaluate}); the automated snapshot
 * evaluation of {@code cdm evaluate} can replace it without touching the rest of the demo.
 */
final class SnapshotEvaluation {
  /** What one snapshot scored; {@code kimg} is -1 for the untrained network. */
  record Result(String snapshot, double kimg, double fidMnist, int images, double accuracy,
      double[] classAccuracy, String grid, double seconds) {
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    String toJson() {
      return GSON.toJson(this);
    }

    static Result read(Path file) throws IOException {
      return GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), Result.class);
    }
  }

  private final int perClass;
  private final int gridColumns;
  private final int batch;
  private final SamplerSpec sampler;
  private final Device device;

  SnapshotEvaluation(int perClass, int gridColumns, int batch, SamplerSpec sampler, Device device) {
    this.perClass = perClass;
    this.gridColumns = Math.min(gridColumns, perClass);
    this.batch = batch;
    this.sampler = sampler;
    this.device = device;
  }

  int imagesPerSnapshot(int classes) {
    return perClass * classes;
  }

  /**
   * Scores {@code snapshot} against {@code reference}; writes the grid to {@code gridPng}.
   * {@code onImages} hears of every generated batch (progress).
   */
  Result evaluate(Path snapshot, double kimg, GaussianStatistics reference, MnistDetector detector,
      Path gridPng, LongConsumer onImages) throws IOException {
    long t0 = System.nanoTime();
    try (NDManager manager = NDManager.newBaseManager(device)) {
      Precond net = NetworkLoader.load(snapshot, manager);
      int classes = net.labelDim();
      if (classes == 0 || net.imgChannels() != 1) {
        throw new IOException(snapshot + ": expected a class-conditional grayscale network, got label_dim "
            + classes + ", " + net.imgChannels() + " channels");
      }
      int res = net.imgResolution();
      Sampler s = sampler.toSampler();
      byte[] grid = new byte[classes * res * gridColumns * res];
      int[] correct = new int[classes];
      try (FeatureSums sums = new FeatureSums(manager)) {
        for (int c = 0; c < classes; c++) {
          for (int start = 0; start < perClass; start += batch) {
            long[] seeds = new long[Math.min(batch, perClass - start)];
            for (int i = 0; i < seeds.length; i++) {
              seeds[i] = start + i;
            }
            try (NDManager scope = manager.newSubManager()) {
              NDArray x = SeedImages.sample(net, s, scope, seeds, c);
              x.attach(scope);
              NDArray u8 = ImageQuantizer.toUint8(x); // [n, 1, res, res]
              sums.add(detector.features(u8));
              int[] pred = detector.classify(u8);
              for (int p : pred) {
                correct[c] += p == c ? 1 : 0;
              }
              if (start < gridColumns) {
                byte[] px = u8.toDevice(Device.cpu(), false).toByteArray();
                for (int i = 0; i < seeds.length && start + i < gridColumns; i++) {
                  for (int y = 0; y < res; y++) {
                    System.arraycopy(px, (i * res + y) * res,
                        grid, ((c * res + y) * gridColumns + start + i) * res, res);
                  }
                }
              }
            }
            onImages.accept(seeds.length);
          }
        }
        AtomicFiles.write(gridPng.toString(),
            PngCodec.encode(new Pixels(gridColumns * res, classes * res, 1, grid)));
        double fid = FrechetDistance.between(sums.toMoments().toStatistics(), reference);
        double[] perClassAccuracy = new double[classes];
        long total = 0;
        for (int c = 0; c < classes; c++) {
          perClassAccuracy[c] = correct[c] / (double) perClass;
          total += correct[c];
        }
        return new Result(snapshot.getFileName().toString(), kimg, fid, classes * perClass,
            total / (double) (classes * perClass), perClassAccuracy,
            gridPng.getFileName().toString(), (System.nanoTime() - t0) / 1e9);
      }
    }
  }
}

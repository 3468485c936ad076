package dev.cdm.transforms.evaluate;

import dev.cdm.fid.FrechetDistance;
import dev.cdm.fid.GaussianStatistics;
import dev.cdm.fid.InceptionScore;
import dev.cdm.fid.KernelDistance;
import dev.cdm.model.io.NpyArray;
import dev.cdm.model.io.NpzFile;
import dev.cdm.model.io.Sources;
import dev.cdm.transforms.fid.SharedDetectors;
import java.io.IOException;
import java.util.Map;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;

/**
 * A repeat's merged {@link SampleScores} to its {@link RepeatScores}: FID against {@code mu},
 * {@code sigma} of the reference file, IS from the class probabilities, and KID of the kept
 * features against the reference file's {@code features} key (written by {@code cdm ref
 * --features=N}); the reference is fetched once per DoFn instance.
 */
final class ScoreRepeatFn extends DoFn<KV<Integer, SampleScores>, RepeatScores> {
  private static final long serialVersionUID = 1L;

  /** The key of the reference's feature sample in the statistics file. */
  static final String FEATURES_KEY = dev.cdm.transforms.fid.WriteFeatureSample.KEY;

  private final String ref;

  /** Where the KID Gram matrices are computed (the detector's device flag). */
  private final String device;

  private transient GaussianStatistics reference;
  private transient float[] refFeatures;

  ScoreRepeatFn(String ref, String device) {
    this.ref = ref;
    this.device = device;
  }

  @Setup
  public void setup() throws IOException {
    NpzFile npz = NpzFile.read(Sources.open(ref, "--ref"));
    reference = GaussianStatistics.from(npz);
    NpyArray f = npz.arrays().get(FEATURES_KEY);
    if (f != null) {
      long[] shape = f.shape();
      if (shape.length != 2 || shape[1] != reference.dim()) {
        throw new IOException(
            "--ref="
                + ref
                + ": key '"
                + FEATURES_KEY
                + "' has shape "
                + java.util.Arrays.toString(shape)
                + ", expected [N, "
                + reference.dim()
                + "]");
      }
      double[] d = f.toDoubles();
      refFeatures = new float[d.length];
      for (int i = 0; i < d.length; i++) {
        refFeatures[i] = (float) d[i];
      }
    }
  }

  @ProcessElement
  public void process(@Element KV<Integer, SampleScores> in, OutputReceiver<RepeatScores> out) {
    SampleScores s = in.getValue();
    GaussianStatistics stats = s.moments().toStatistics();
    if (stats.dim() != reference.dim()) {
      throw new IllegalArgumentException(
          "--ref="
              + ref
              + " holds statistics of dimension "
              + reference.dim()
              + " but the detector gives "
              + stats.dim()
              + " features");
    }
    double fid = FrechetDistance.between(stats, reference);
    InceptionScore is = s.inception();
    // Skipped (NaN) without class probabilities, or with fewer images than the 10 parts.
    double[] isMs =
        is == null || !is.complete() ? new double[] {Double.NaN, Double.NaN} : is.meanStd();
    double[] kid = {Double.NaN, Double.NaN};
    Map<Long, float[]> kept = s.kidFeatures();
    if (refFeatures != null && kept.size() >= 2) {
      int d = reference.dim();
      float[] gen = new float[kept.size() * d];
      int i = 0;
      for (float[] row : kept.values()) {
        System.arraycopy(row, 0, gen, i++ * d, d);
      }
      kid =
          KernelDistance.between(
              gen,
              kept.size(),
              refFeatures,
              refFeatures.length / d,
              d,
              KernelDistance.SUBSETS,
              KernelDistance.MAX_SUBSET_SIZE,
              in.getKey(),
              SharedDetectors.device(device));
    }
    out.output(
        new RepeatScores(in.getKey(), s.moments().count(), fid, isMs[0], isMs[1], kid[0], kid[1]));
  }
}

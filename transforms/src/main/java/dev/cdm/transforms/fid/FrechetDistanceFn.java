package dev.cdm.transforms.fid;

import dev.cdm.fid.FeatureMoments;
import dev.cdm.fid.FrechetDistance;
import dev.cdm.fid.GaussianStatistics;
import dev.cdm.model.io.Sources;
import java.io.IOException;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;

/**
 * FID of each group's statistics against reference statistics ({@code --ref}: a path or URL,
 * fetched once per DoFn instance on the worker).
 */
public final class FrechetDistanceFn
    extends DoFn<KV<Integer, FeatureMoments>, KV<Integer, Double>> {
  private final String ref;
  private transient GaussianStatistics reference;

  public FrechetDistanceFn(String ref) {
    this.ref = ref;
  }

  @Setup
  public void setup() throws IOException {
    reference = GaussianStatistics.read(Sources.open(ref, "--ref"));
  }

  @ProcessElement
  public void process(
      @Element KV<Integer, FeatureMoments> moments, OutputReceiver<KV<Integer, Double>> out) {
    moments.getValue().requireAtLeastDimImages();
    GaussianStatistics s = moments.getValue().toStatistics();
    if (s.dim() != reference.dim()) {
      throw new IllegalArgumentException(
          "--ref="
              + ref
              + " holds statistics of dimension "
              + reference.dim()
              + " but the detector gives "
              + s.dim()
              + " features");
    }
    out.output(KV.of(moments.getKey(), FrechetDistance.between(s, reference)));
  }
}

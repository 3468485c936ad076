package dev.cdm.transforms.fid;

import dev.cdm.fid.FeatureMoments;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.transforms.Combine;

/**
 * Adds partial {@link FeatureMoments} (float64 sums of features and outer products) from all
 * workers; the empty accumulator has dimension 0 and takes the first input's dimension.
 */
public final class FeatureMomentsCombineFn
    extends Combine.CombineFn<FeatureMoments, FeatureMoments, FeatureMoments> {
  @Override
  public FeatureMoments createAccumulator() {
    return new FeatureMoments(0);
  }

  @Override
  public FeatureMoments addInput(FeatureMoments acc, FeatureMoments input) {
    return acc.merge(input);
  }

  @Override
  public FeatureMoments mergeAccumulators(Iterable<FeatureMoments> accs) {
    FeatureMoments total = new FeatureMoments(0);
    for (FeatureMoments a : accs) {
      total = total.merge(a);
    }
    return total;
  }

  @Override
  public FeatureMoments extractOutput(FeatureMoments acc) {
    return acc;
  }

  @Override
  public Coder<FeatureMoments> getAccumulatorCoder(
      CoderRegistry registry, Coder<FeatureMoments> inputCoder) {
    return FeatureMomentsCoder.of();
  }

  @Override
  public Coder<FeatureMoments> getDefaultOutputCoder(
      CoderRegistry registry, Coder<FeatureMoments> inputCoder) {
    return FeatureMomentsCoder.of();
  }
}

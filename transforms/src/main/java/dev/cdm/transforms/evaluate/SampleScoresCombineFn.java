package dev.cdm.transforms.evaluate;

import org.apache.beam.sdk.transforms.Combine;

/** Adds the partial {@link SampleScores} of all bundles and workers. */
final class SampleScoresCombineFn extends Combine.CombineFn<SampleScores, SampleScores, SampleScores> {
  @Override
  public SampleScores createAccumulator() {
    return new SampleScores();
  }

  @Override
  public SampleScores addInput(SampleScores acc, SampleScores input) {
    return acc.merge(input);
  }

  @Override
  public SampleScores mergeAccumulators(Iterable<SampleScores> accs) {
    SampleScores total = new SampleScores();
    for (SampleScores a : accs) {
      total.merge(a);
    }
    return total;
  }

  @Override
  public SampleScores extractOutput(SampleScores acc) {
    return acc;
  }
}

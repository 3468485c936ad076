package dev.cdm.transforms.evaluate;

import dev.cdm.transforms.io.JavaSerializedCoder;
import org.apache.beam.sdk.coders.BooleanCoder;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;

/**
 * Adds up the partial {@link SampleScores} of one repeat (the key) in one window, and emits the sum
 * once, as soon as it holds all {@code num} images of the repeat. Completion is counted, not told
 * by the watermark: the repeat is scored when its last bundle arrives, on any runner and in a
 * streaming pipeline whose watermark does not move (the Flink runner holds back the watermark of a
 * {@code Watch} while it polls). A repeat that never gets all its images (its network could not be
 * loaded on some worker) is never emitted: an incomplete FID is not a result. Partial sums that
 * arrive after the emission (none, unless a runner replays a bundle) are ignored.
 */
final class GatherRepeatFn extends DoFn<KV<Integer, SampleScores>, KV<Integer, SampleScores>> {
  private static final long serialVersionUID = 1L;

  private final long num;

  @StateId("sum")
  private final StateSpec<ValueState<SampleScores>> sumSpec =
      StateSpecs.value(JavaSerializedCoder.of(SampleScores.class));

  @StateId("done")
  private final StateSpec<ValueState<Boolean>> doneSpec = StateSpecs.value(BooleanCoder.of());

  GatherRepeatFn(long num) {
    this.num = num;
  }

  @ProcessElement
  public void process(
      @Element KV<Integer, SampleScores> in,
      @StateId("sum") ValueState<SampleScores> sum,
      @StateId("done") ValueState<Boolean> done,
      OutputReceiver<KV<Integer, SampleScores>> out) {
    if (Boolean.TRUE.equals(done.read())) {
      return;
    }
    SampleScores total = sum.read();
    total = total == null ? in.getValue() : total.merge(in.getValue());
    if (total.moments().count() >= num) {
      out.output(KV.of(in.getKey(), total));
      done.write(true);
      sum.clear();
    } else {
      sum.write(total);
    }
  }
}

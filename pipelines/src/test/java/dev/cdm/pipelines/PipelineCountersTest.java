package dev.cdm.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The summary line of a command's {@code cdm} counters, read from the finished pipeline's metrics
 * on the DirectRunner and on the embedded Flink runner, summed over several pipelines.
 */
class PipelineCountersTest {
  /** Counts as a generate step and a write step do; plus a counter of another namespace. */
  static final class CountingFn extends DoFn<Integer, Integer> {
    private static final long serialVersionUID = 1L;
    private final Counter generated = Metrics.counter("cdm", "generate.images");
    private final Counter generateFailures = Metrics.counter("cdm", "generate.failures");
    private final Counter written = Metrics.counter("cdm", "write.images");
    private final Counter bytes = Metrics.counter("cdm", "write.bytes");
    private final Counter writeFailures = Metrics.counter("cdm", "write.failures");
    private final Counter other = Metrics.counter("elsewhere", "images");
    private final boolean failOdd;

    CountingFn(boolean failOdd) {
      this.failOdd = failOdd;
    }

    @ProcessElement
    public void process(@Element Integer x, OutputReceiver<Integer> out) {
      generated.inc();
      generateFailures.inc(0);
      if (failOdd && x % 2 == 1) {
        writeFailures.inc();
        return;
      }
      written.inc();
      bytes.inc(100 + x);
      other.inc();
      out.output(x);
    }
  }

  static PipelineResult run(boolean failOdd, String... args) {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs(args).create());
    p.apply(Create.of(1, 2, 3, 4)).apply("Count", ParDo.of(new CountingFn(failOdd)));
    return PipelineRuns.runToEnd(p, "the job pipeline");
  }

  @Test
  void oneLineOfTheCdmCountersOnTheDirectRunner() {
    PipelineCounters c = PipelineCounters.of(run(false, PipelineRunsTest.DIRECT));
    assertEquals(
        Map.of(
            "generate.images", 4L,
            "generate.failures", 0L,
            "write.images", 4L,
            "write.bytes", 410L),
        c.values());
    assertEquals("counters: generate.images=4 write.images=4 write.bytes=410 failures=0", c.line());

    // Summed over a command's pipelines; failures say which step had them.
    c.add(run(true, PipelineRunsTest.DIRECT));
    assertEquals(
        "counters: generate.images=8 write.images=6 write.bytes=616 failures=2"
            + " (write.failures=2)",
        c.line());
  }

  @Test
  void aPipelineWithoutCdmCountersHasNoLine() {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs(PipelineRunsTest.DIRECT).create());
    p.apply(Create.of(1, 2))
        .apply("Double", MapElements.into(TypeDescriptors.integers()).via((Integer x) -> 2 * x));
    PipelineCounters c = PipelineCounters.of(PipelineRuns.runToEnd(p, "the job pipeline"));
    assertEquals(Map.of(), c.values());
    assertNull(c.line());
  }

  @Test
  @Tag("slow")
  void theSameLineOnFlink() {
    assertEquals(
        "counters: generate.images=4 write.images=2 write.bytes=206 failures=2"
            + " (write.failures=2)",
        PipelineCounters.of(run(true, PipelineRunsTest.FLINK)).line());
  }
}

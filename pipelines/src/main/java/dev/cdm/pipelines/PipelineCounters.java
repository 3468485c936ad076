package dev.cdm.pipelines;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;

/**
 * The Beam counters of the {@code cdm} namespace (images, bytes and failures of each step) of a
 * command's pipelines, summed over its runs, for the one summary line a command prints at its end:
 * {@code counters: generate.images=64 write.images=64 write.bytes=53211 failures=0}. Flink's web UI
 * shows these counters only as base64 accumulator payloads, so that line is what users read.
 */
public final class PipelineCounters {
  /** The namespace of the product's counters ({@code Metrics.counter("cdm", "write.images")}). */
  public static final String NAMESPACE = "cdm";

  private static final String FAILURES = "failures";

  private final Map<String, Long> values = new TreeMap<>();

  /** The counters of the finished {@code result}. */
  public static PipelineCounters of(PipelineResult result) {
    return new PipelineCounters().add(result);
  }

  /**
   * Adds the counters of the finished {@code result}, each its attempted value summed over the
   * steps that count it (committed values are not kept by every runner, Flink's among them). A
   * runner that reports no metrics adds nothing.
   */
  public synchronized PipelineCounters add(PipelineResult result) {
    Iterable<MetricResult<Long>> counters;
    try {
      counters =
          result
              .metrics()
              .queryMetrics(
                  MetricsFilter.builder()
                      .addNameFilter(MetricNameFilter.inNamespace(NAMESPACE))
                      .build())
              .getCounters();
    } catch (UnsupportedOperationException e) {
      return this;
    }
    for (MetricResult<Long> c : counters) {
      if (c.getName().getNamespace().equals(NAMESPACE)) {
        values.merge(c.getName().getName(), c.getAttempted(), Long::sum);
      }
    }
    return this;
  }

  /** Counter name ({@code generate.images}) to value, by name. */
  public synchronized Map<String, Long> values() {
    return new TreeMap<>(values);
  }

  /**
   * The summary line, or null when no counter was reported: each counter by name, the steps in
   * alphabetical order and a step's images first, then every step's failures summed into one {@code
   * failures=N} (which steps, when N is not 0). Only counters that a step reported appear.
   */
  public synchronized String line() {
    if (values.isEmpty()) {
      return null;
    }
    List<String> names = new ArrayList<>(values.keySet());
    names.sort(
        Comparator.comparing((String n) -> n.contains(".") ? n.substring(0, n.indexOf('.')) : n)
            .thenComparing(n -> !n.endsWith(".images"))
            .thenComparing(n -> n));
    StringBuilder line = new StringBuilder("counters:");
    long failures = 0;
    StringBuilder failed = new StringBuilder();
    boolean anyFailureCounter = false;
    for (String n : names) {
      long v = values.get(n);
      if (n.equals(FAILURES) || n.endsWith("." + FAILURES)) {
        anyFailureCounter = true;
        failures += v;
        if (v != 0) {
          failed.append(failed.length() == 0 ? "" : " ").append(n).append('=').append(v);
        }
      } else {
        line.append(' ').append(n).append('=').append(v);
      }
    }
    if (anyFailureCounter) {
      line.append(" failures=").append(failures);
      if (failures != 0) {
        line.append(" (").append(failed).append(')');
      }
    }
    return line.toString();
  }

  /** Prints {@link #line} on stderr, where the progress lines go; nothing when there is none. */
  public void print() {
    String line = line();
    if (line != null) {
      System.err.println(line);
    }
  }
}

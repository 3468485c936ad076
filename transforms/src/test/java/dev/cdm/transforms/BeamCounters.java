package dev.cdm.transforms;

import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;

/**
 * The {@code cdm} Beam counters of a finished pipeline, as a runner's UI shows them: name (e.g.
 * {@code generate.images}) to the attempted value summed over the steps that count it.
 */
public final class BeamCounters {
  private BeamCounters() {}

  public static Map<String, Long> of(PipelineResult result) {
    Map<String, Long> counters = new TreeMap<>();
    for (MetricResult<Long> c :
        result.metrics().queryMetrics(MetricsFilter.builder().build()).getCounters()) {
      if (c.getName().getNamespace().equals("cdm")) {
        counters.merge(c.getName().getName(), c.getAttempted(), Long::sum);
      }
    }
    return counters;
  }
}

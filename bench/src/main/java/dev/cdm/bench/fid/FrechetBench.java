package dev.cdm.bench.fid;

import dev.cdm.fid.FeatureMoments;
import dev.cdm.fid.FrechetDistance;
import dev.cdm.fid.GaussianStatistics;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Time of one Fréchet distance at the detector's dimension (2048) from random statistics of {@code
 * 3 * dim} samples, with JMH:
 *
 * <pre>
 * java -cp "bench/target/cdm-bench.jar:$(cat bench/target/classpath.txt)" org.openjdk.jmh.Main FrechetBench [-p dim=64,2048]
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(1)
public class FrechetBench {
  @Param({"2048"})
  public int dim;

  private GaussianStatistics a;
  private GaussianStatistics b;

  @Setup
  public void setUp() {
    Random rnd = new Random(0);
    a = random(dim, 3 * dim, rnd, 0);
    b = random(dim, 3 * dim, rnd, 0.1);
  }

  @Benchmark
  public double between() {
    return FrechetDistance.between(a, b);
  }

  /**
   * Statistics of {@code samples} random vectors with a few shared directions (non-trivial sigma).
   */
  static GaussianStatistics random(int dim, int samples, Random rnd, double shift) {
    FeatureMoments m = new FeatureMoments(dim);
    double[] f = new double[dim];
    for (int s = 0; s < samples; s++) {
      double common = rnd.nextGaussian();
      for (int i = 0; i < dim; i++) {
        f[i] = Math.max(0, rnd.nextGaussian() * 0.5 + common * (i % 7) * 0.1 + shift);
      }
      m.add(f);
    }
    return m.toStatistics();
  }
}

package dev.cdm.pipelines.fid;

import dev.cdm.transforms.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;

/**
 * The FID values of a run (one per repeat), written by the pipeline as text ({@code <repeat> <fid>}
 * per line, full precision), read back and summarised by the command.
 */
public final class FidResults {
  private final double[] values;

  public FidResults(double[] values) {
    this.values = values;
  }

  public double[] values() {
    return values.clone();
  }

  public double min() {
    double m = Double.POSITIVE_INFINITY;
    for (double v : values) {
      m = Math.min(m, v);
    }
    return m;
  }

  public double mean() {
    double s = 0;
    for (double v : values) {
      s += v;
    }
    return s / values.length;
  }

  /** Population standard deviation (ddof=0, NumPy's {@code np.std} default). */
  public double std() {
    double m = mean();
    double s = 0;
    for (double v : values) {
      s += (v - m) * (v - m);
    }
    return Math.sqrt(s / values.length);
  }

  public static FidResults read(Path file, int expected) throws IOException {
    return read(file.toString(), expected);
  }

  /** Reads the result file at a local path or on any Beam file system (e.g. gs://). */
  public static FidResults read(String file, int expected) throws IOException {
    List<String> lines =
        List.of(new String(AtomicFiles.read(file), StandardCharsets.UTF_8).split("\n"));
    TreeMap<Integer, Double> byGroup = new TreeMap<>();
    for (String line : lines) {
      if (!line.isBlank()) {
        String[] parts = line.trim().split("\\s+");
        byGroup.put(Integer.parseInt(parts[0]), Double.parseDouble(parts[1]));
      }
    }
    if (byGroup.size() != expected) {
      throw new IOException(
          file + ": expected " + expected + " FID values, found " + byGroup.size());
    }
    return new FidResults(byGroup.values().stream().mapToDouble(Double::doubleValue).toArray());
  }

  /** Python's {@code f'{x:g}'}: 6 significant digits, trailing zeros dropped. */
  public static String formatG(double x) {
    if (Double.isNaN(x)) {
      return "nan";
    }
    if (Double.isInfinite(x)) {
      return x > 0 ? "inf" : "-inf";
    }
    if (x == 0) {
      return (1 / x < 0) ? "-0" : "0";
    }
    String e = String.format(Locale.ROOT, "%.5e", x);
    int exp = Integer.parseInt(e.substring(e.indexOf('e') + 1));
    if (exp < -4 || exp >= 6) {
      String mant = stripZeros(e.substring(0, e.indexOf('e')));
      return String.format(Locale.ROOT, "%se%s%02d", mant, exp < 0 ? "-" : "+", Math.abs(exp));
    }
    return stripZeros(String.format(Locale.ROOT, "%." + Math.max(5 - exp, 0) + "f", x));
  }

  private static String stripZeros(String s) {
    if (s.indexOf('.') < 0) {
      return s;
    }
    s = s.replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }

  /** Gathers all (repeat, fid) pairs into one list, so one worker writes the result file. */
  static final class Gather
      extends Combine.CombineFn<KV<Integer, Double>, List<String>, List<String>> {
    @Override
    public List<String> createAccumulator() {
      return new ArrayList<>();
    }

    @Override
    public List<String> addInput(List<String> acc, KV<Integer, Double> in) {
      // Hex float text keeps every bit of the double.
      acc.add(in.getKey() + " " + Double.toHexString(in.getValue()));
      return acc;
    }

    @Override
    public List<String> mergeAccumulators(Iterable<List<String>> accs) {
      List<String> all = new ArrayList<>();
      accs.forEach(all::addAll);
      return all;
    }

    @Override
    public List<String> extractOutput(List<String> acc) {
      return acc;
    }

    @Override
    public Coder<List<String>> getAccumulatorCoder(
        CoderRegistry registry, Coder<KV<Integer, Double>> inputCoder) {
      return ListCoder.of(StringUtf8Coder.of());
    }

    @Override
    public Coder<List<String>> getDefaultOutputCoder(
        CoderRegistry registry, Coder<KV<Integer, Double>> inputCoder) {
      return ListCoder.of(StringUtf8Coder.of());
    }
  }

  /** Writes the gathered lines to the result file atomically. */
  static final class WriteFn extends DoFn<List<String>, Void> {
    private final String file;

    WriteFn(String file) {
      this.file = file;
    }

    @ProcessElement
    public void process(@Element List<String> lines) throws IOException {
      // Through the file layer: the worker that runs this may be on another host than the
      // command, so the file is on storage both reach (a shared path or gs://). Created once:
      // a job that restarts after writing it keeps the first result.
      AtomicFiles.createOnce(
          file, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
    }
  }
}

package dev.cdm.transforms.evaluate;

import dev.cdm.transforms.generate.GeneratedImage;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.DoubleCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * How often a classifier recognises the class each sample was generated for: the detector's most
 * probable class against {@link GeneratedImage#label()}, for the samples of a conditional network
 * (unlabelled samples are ignored). Emits {@code class_accuracy} over all labelled samples and
 * {@code class_accuracy/<c>} for every class that has samples, as fractions.
 *
 * <pre>
 *   GeneratedImage → Classify (per bundle, batched, on the device) → KV(label, 1 if right else 0)
 *     → one group → KV("class_accuracy", …), KV("class_accuracy/0", …), …
 * </pre>
 */
public final class ClassAccuracy
    extends PTransform<PCollection<GeneratedImage>, PCollection<KV<String, Double>>> {
  private static final long serialVersionUID = 1L;

  /** The metric's name; per class {@code class_accuracy/<c>}. */
  public static final String NAME = "class_accuracy";

  private final String detector;
  private final String device;
  private final int maxBatch;

  /**
   * @param detector a detector with class probabilities (e.g. {@code mnist})
   * @param device where it runs ("auto", "cpu", "gpu", "gpu:N")
   * @param maxBatch the largest batch sent through it at once
   */
  public ClassAccuracy(String detector, String device, int maxBatch) {
    this.detector = detector;
    this.device = device;
    this.maxBatch = maxBatch;
  }

  @Override
  public PCollection<KV<String, Double>> expand(PCollection<GeneratedImage> samples) {
    return samples
        .apply("Classify", ParDo.of(new ClassifyFn(detector, device, maxBatch)))
        .setCoder(KvCoder.of(VarIntCoder.of(), VarIntCoder.of()))
        .apply(
            "OneKey",
            WithKeys.<Integer, KV<Integer, Integer>>of(0).withKeyType(TypeDescriptors.integers()))
        .apply("Gather", GroupByKey.create())
        .apply("Accuracy", ParDo.of(new AccuracyFn()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), DoubleCoder.of()));
  }

  /** The accuracies of {@code (label, right)} pairs, by name (see the class comment). */
  static Map<String, Double> accuracies(Iterable<KV<Integer, Integer>> outcomes) {
    TreeMap<Integer, long[]> perClass = new TreeMap<>();
    long right = 0;
    long total = 0;
    for (KV<Integer, Integer> o : outcomes) {
      long[] c = perClass.computeIfAbsent(o.getKey(), k -> new long[2]);
      c[0] += o.getValue();
      c[1]++;
      right += o.getValue();
      total++;
    }
    Map<String, Double> out = new TreeMap<>();
    if (total > 0) {
      out.put(NAME, right / (double) total);
      perClass.forEach((label, c) -> out.put(NAME + "/" + label, c[0] / (double) c[1]));
    }
    return out;
  }

  static final class AccuracyFn
      extends DoFn<KV<Integer, Iterable<KV<Integer, Integer>>>, KV<String, Double>> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void process(
        @Element KV<Integer, Iterable<KV<Integer, Integer>>> in,
        OutputReceiver<KV<String, Double>> out) {
      accuracies(in.getValue()).forEach((name, value) -> out.output(KV.of(name, value)));
    }
  }
}

package dev.cdm.transforms.evaluate;

import dev.cdm.transforms.io.AtomicFiles;
import dev.cdm.transforms.generate.GeneratedImage;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * The samples of seeds {@code 0 .. rows*cols-1} as one grid PNG at {@code dest} (written
 * atomically); emits {@code dest} once written. Other samples pass by untouched.
 */
public final class WriteGrid extends PTransform<PCollection<GeneratedImage>, PCollection<String>> {
  private static final long serialVersionUID = 1L;

  private final String dest;
  private final int rows;
  private final int cols;

  public WriteGrid(String dest, int rows, int cols) {
    this.dest = dest;
    this.rows = rows;
    this.cols = cols;
  }

  @Override
  public PCollection<String> expand(PCollection<GeneratedImage> samples) {
    long cells = (long) rows * cols;
    return samples
        .apply("GridSeeds", Filter.by(g -> g.seed() >= 0 && g.seed() < cells))
        .apply("OneKey", WithKeys.<Integer, GeneratedImage>of(0).withKeyType(TypeDescriptors.integers()))
        .apply("Gather", GroupByKey.create())
        .apply("WritePng", ParDo.of(new WriteFn(dest, rows, cols)))
        .setCoder(StringUtf8Coder.of());
  }

  static final class WriteFn extends DoFn<KV<Integer, Iterable<GeneratedImage>>, String> {
    private final String dest;
    private final int rows;
    private final int cols;

    WriteFn(String dest, int rows, int cols) {
      this.dest = dest;
      this.rows = rows;
      this.cols = cols;
    }

    @ProcessElement
    public void process(@Element KV<Integer, Iterable<GeneratedImage>> in, OutputReceiver<String> out)
        throws IOException {
      Map<Long, GeneratedImage> bySeed = new HashMap<>();
      for (GeneratedImage g : in.getValue()) {
        bySeed.put(g.seed(), g);
      }
      AtomicFiles.write(dest, ImageGrid.png(bySeed, 0, rows, cols));
      out.output(dest);
    }
  }
}

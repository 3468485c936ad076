package dev.cdm.transforms.evaluate;

import dev.cdm.transforms.generate.GeneratedImage;
import dev.cdm.transforms.io.AtomicFiles;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
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
 * A grid with one row per class of a conditional network's samples: row c holds the {@code cols}
 * lowest seeds generated for class c, in seed order (cells stay black when a class has fewer
 * samples); written as one PNG at {@code dest} (atomically), which it emits once written.
 * Unlabelled samples and classes from {@code rows} on are left out.
 */
public final class ClassGrid extends PTransform<PCollection<GeneratedImage>, PCollection<String>> {
  private static final long serialVersionUID = 1L;

  private final String dest;
  private final int rows;
  private final int cols;

  public ClassGrid(String dest, int rows, int cols) {
    this.dest = dest;
    this.rows = rows;
    this.cols = cols;
  }

  @Override
  public PCollection<String> expand(PCollection<GeneratedImage> samples) {
    int classes = rows;
    return samples
        .apply("Labelled", Filter.by(g -> g.label() >= 0 && g.label() < classes))
        .apply(
            "OneKey",
            WithKeys.<Integer, GeneratedImage>of(0).withKeyType(TypeDescriptors.integers()))
        .apply("Gather", GroupByKey.create())
        .apply("WritePng", ParDo.of(new WriteFn(dest, rows, cols)))
        .setCoder(StringUtf8Coder.of());
  }

  /** The cells of the grid: cell {@code c * cols + k} is the k-th lowest seed of class c. */
  static Map<Long, GeneratedImage> cells(Iterable<GeneratedImage> images, int rows, int cols) {
    List<GeneratedImage> sorted = new ArrayList<>();
    images.forEach(sorted::add);
    sorted.sort(Comparator.comparingLong(GeneratedImage::seed));
    int[] used = new int[rows];
    Map<Long, GeneratedImage> cells = new HashMap<>();
    for (GeneratedImage g : sorted) {
      int c = g.label();
      if (c >= 0 && c < rows && used[c] < cols) {
        cells.put((long) c * cols + used[c]++, g);
      }
    }
    return cells;
  }

  static final class WriteFn extends DoFn<KV<Integer, Iterable<GeneratedImage>>, String> {
    private static final long serialVersionUID = 1L;

    private final String dest;
    private final int rows;
    private final int cols;

    WriteFn(String dest, int rows, int cols) {
      this.dest = dest;
      this.rows = rows;
      this.cols = cols;
    }

    @ProcessElement
    public void process(
        @Element KV<Integer, Iterable<GeneratedImage>> in, OutputReceiver<String> out)
        throws IOException {
      AtomicFiles.write(dest, ImageGrid.png(cells(in.getValue(), rows, cols), 0, rows, cols));
      out.output(dest);
    }
  }
}

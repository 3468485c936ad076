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
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * The samples of seeds {@code 0 .. rows*cols-1} as one grid PNG at {@code dest} (written
 * atomically); emits {@code dest} once written. Other samples pass by untouched. One grid per
 * window: with {@link #perWindow} the destination depends on the window (e.g. one grid per
 * {@link SnapshotWindow}).
 */
public final class WriteGrid extends PTransform<PCollection<GeneratedImage>, PCollection<String>> {
  private static final long serialVersionUID = 1L;

  private final SerializableFunction<BoundedWindow, String> dest;
  private final int rows;
  private final int cols;

  public WriteGrid(String dest, int rows, int cols) {
    this(w -> dest, rows, cols);
  }

  private WriteGrid(SerializableFunction<BoundedWindow, String> dest, int rows, int cols) {
    this.dest = dest;
    this.rows = rows;
    this.cols = cols;
  }

  /** One grid per window, written to {@code dest.apply(window)}. */
  public static WriteGrid perWindow(SerializableFunction<BoundedWindow, String> dest, int rows,
      int cols) {
    return new WriteGrid(dest, rows, cols);
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
    private final SerializableFunction<BoundedWindow, String> dest;
    private final int rows;
    private final int cols;

    WriteFn(SerializableFunction<BoundedWindow, String> dest, int rows, int cols) {
      this.dest = dest;
      this.rows = rows;
      this.cols = cols;
    }

    @ProcessElement
    public void process(@Element KV<Integer, Iterable<GeneratedImage>> in, BoundedWindow window,
        OutputReceiver<String> out) throws IOException {
      Map<Long, GeneratedImage> bySeed = new HashMap<>();
      for (GeneratedImage g : in.getValue()) {
        bySeed.put(g.seed(), g);
      }
      String file = dest.apply(window);
      AtomicFiles.write(file, ImageGrid.png(bySeed, 0, rows, cols));
      out.output(file);
    }
  }
}

package dev.cdm.transforms.generate;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.BoundedSource;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;

/**
 * The seed batches of a job as a bounded source that splits into one part per batch, so that the
 * runner hands batches to the workers as they ask for them: a worker that finishes early takes the
 * next batch, and no worker idles while batches remain (Flink assigns input splits to its slots on
 * request; the DirectRunner's threads take bundles as they free up). A {@code Create} would be
 * split into one part per worker up front, and a worker that started late or ran slower would end
 * the job alone; a random-key reshuffle hands out the batches by chance.
 *
 * <pre>
 *   PBegin ──SeedBatches.of(batches)──▶ PCollection&lt;List&lt;Long&gt;&gt;   (one split per batch)
 * </pre>
 */
public final class SeedBatches extends PTransform<PBegin, PCollection<List<Long>>> {
  private static final long serialVersionUID = 1L;
  private final List<List<Long>> batches;

  private SeedBatches(List<List<Long>> batches) {
    this.batches = copy(batches);
  }

  /** The batches, in order. */
  public static SeedBatches of(List<List<Long>> batches) {
    return new SeedBatches(batches);
  }

  @Override
  public PCollection<List<Long>> expand(PBegin input) {
    return input.apply(Read.from(new Source(batches)));
  }

  private static List<List<Long>> copy(List<List<Long>> batches) {
    List<List<Long>> out = new ArrayList<>(batches.size());
    for (List<Long> b : batches) {
      out.add(new ArrayList<>(b));
    }
    return out;
  }

  /** The batches; split, one source per batch. */
  static final class Source extends BoundedSource<List<Long>> {
    private static final long serialVersionUID = 1L;
    private final List<List<Long>> batches;

    Source(List<List<Long>> batches) {
      this.batches = batches;
    }

    @Override
    public List<Source> split(long desiredBundleSizeBytes, PipelineOptions options) {
      if (batches.size() <= 1) {
        return List.of(this);
      }
      List<Source> parts = new ArrayList<>(batches.size());
      for (List<Long> b : batches) {
        parts.add(new Source(List.of(b)));
      }
      return parts;
    }

    @Override
    public long getEstimatedSizeBytes(PipelineOptions options) {
      long seeds = 0;
      for (List<Long> b : batches) {
        seeds += b.size();
      }
      return seeds * Long.BYTES;
    }

    @Override
    public Coder<List<Long>> getOutputCoder() {
      return ListCoder.of(VarLongCoder.of());
    }

    @Override
    public BoundedReader<List<Long>> createReader(PipelineOptions options) {
      return new BatchReader(this);
    }

    List<List<Long>> batches() {
      return batches;
    }
  }

  private static final class BatchReader extends BoundedSource.BoundedReader<List<Long>> {
    private final Source source;
    private int next = -1;

    BatchReader(Source source) {
      this.source = source;
    }

    @Override
    public boolean start() {
      return advance();
    }

    @Override
    public boolean advance() {
      next++;
      return next < source.batches().size();
    }

    @Override
    public List<Long> getCurrent() {
      if (next < 0 || next >= source.batches().size()) {
        throw new NoSuchElementException();
      }
      return source.batches().get(next);
    }

    @Override
    public void close() {}

    @Override
    public Source getCurrentSource() {
      return source;
    }
  }
}

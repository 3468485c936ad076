package dev.cdm.transforms.fid;

import com.google.auto.value.AutoValue;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;

/**
 * Reads chosen images of a dataset ZIP/folder as uint8 {@link ImageBatch}es, decoded in parallel on
 * the workers. {@code subsets[g]} lists the image indices of group g (one group for {@code cdm
 * ref}, one per repeat for {@code cdm fid --repeats}); each is cut into batches of at most {@code
 * batchSize} consecutive entries.
 */
@AutoValue
public abstract class ReadImageBatches extends PTransform<PBegin, PCollection<ImageBatch>> {
  public abstract String path();

  /** Image indices per group. */
  public abstract List<List<Integer>> subsets();

  public abstract int batchSize();

  public static Builder builder() {
    return new AutoValue_ReadImageBatches.Builder().setBatchSize(64);
  }

  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder setPath(String path);

    public abstract Builder setSubsets(List<List<Integer>> subsets);

    /** Groups of image indices, e.g. from {@code ImageSubsets.disjoint}. */
    public Builder setSubsets(int[][] subsets) {
      List<List<Integer>> groups = new ArrayList<>();
      for (int[] s : subsets) {
        List<Integer> g = new ArrayList<>(s.length);
        for (int i : s) {
          g.add(i);
        }
        groups.add(java.util.Collections.unmodifiableList(g));
      }
      return setSubsets(java.util.Collections.unmodifiableList(groups));
    }

    public abstract Builder setBatchSize(int batchSize);

    abstract ReadImageBatches autoBuild();

    public ReadImageBatches build() {
      ReadImageBatches r = autoBuild();
      if (r.batchSize() < 1) {
        throw new IllegalArgumentException("--batch must be at least 1, got " + r.batchSize());
      }
      return r;
    }
  }

  @Override
  public PCollection<ImageBatch> expand(PBegin begin) {
    List<KV<Integer, List<Integer>>> batches = new ArrayList<>();
    for (int g = 0; g < subsets().size(); g++) {
      List<Integer> s = subsets().get(g);
      for (int start = 0; start < s.size(); start += batchSize()) {
        batches.add(
            KV.of(g, new ArrayList<>(s.subList(start, Math.min(s.size(), start + batchSize())))));
      }
    }
    return begin
        .apply(
            "ListBatches",
            Create.of(batches)
                .withCoder(KvCoder.of(VarIntCoder.of(), ListCoder.of(VarIntCoder.of()))))
        // Spread the batches over workers: Create alone may hand them all to one.
        .apply("Distribute", Reshuffle.viaRandomKey())
        .apply("Decode", ParDo.of(new DecodeImagesFn(path())))
        .setCoder(ImageBatchCoder.of());
  }
}

package dev.cdm.transforms.dataset;

import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * The reference {@code dataset_tool} as a pipeline: shard ranges of input indices are spread over
 * the workers, each converts its range into a shard file, and one writer merges the shards in index
 * order into the destination. Output index i is input i whatever the parallelism, and no step holds
 * more than one image or the list of shard summaries.
 */
public final class ConvertDataset extends PTransform<PBegin, PCollection<DatasetReport>> {
  private static final long serialVersionUID = 1L;
  private final DatasetConversion conversion;

  private ConvertDataset(DatasetConversion conversion) {
    this.conversion = conversion;
  }

  public static ConvertDataset of(DatasetConversion conversion) {
    return new ConvertDataset(conversion);
  }

  @Override
  public PCollection<DatasetReport> expand(PBegin input) {
    long n = conversion.source().size();
    int shardSize = conversion.shardSize();
    long shards = Math.max(1, (n + shardSize - 1) / shardSize);
    // One bundle per shard (keyed by shard id, then regrouped): the DirectRunner runs a Create as
    // a few large bundles, and its scheduler thread spins in the same pool whenever fewer bundles
    // than threads are queued; with one bundle per shard the pool stays busy with image work and
    // the spinning stops (it cost a third of the CPU on 2 cores). On Flink it spreads the shards.
    java.util.List<ShardRange> ranges = new java.util.ArrayList<>();
    for (long id = 0; id < shards; id++) {
      ranges.add(new ShardRange((int) id, id * shardSize, Math.min(n, (id + 1) * shardSize)));
    }
    PCollection<ShardResult> converted =
        input
            .apply(
                "ShardRanges", Create.of(ranges).withCoder(SerializableCoder.of(ShardRange.class)))
            .apply(
                "KeyByShard",
                WithKeys.<Integer, ShardRange>of(r -> r.id).withKeyType(TypeDescriptors.integers()))
            .setCoder(KvCoder.of(VarIntCoder.of(), SerializableCoder.of(ShardRange.class)))
            .apply("OneBundlePerShard", Reshuffle.of())
            .apply("Ranges", Values.create())
            .apply("ConvertShards", ParDo.of(new ConvertShardFn(conversion)))
            .setCoder(SerializableCoder.of(ShardResult.class));
    return converted
        .apply(
            "OneWriter",
            WithKeys.<Integer, ShardResult>of(0).withKeyType(TypeDescriptors.integers()))
        .setCoder(KvCoder.of(VarIntCoder.of(), SerializableCoder.of(ShardResult.class)))
        .apply("AllShards", GroupByKey.create())
        .apply("WriteInIndexOrder", ParDo.of(new WriteDatasetFn(conversion)))
        .setCoder(SerializableCoder.of(DatasetReport.class));
  }
}

package dev.cdm.transforms.dataset;

import com.google.auto.value.AutoValue;
import java.io.Serializable;

/** Configuration of one {@code dataset_tool} conversion as {@link ConvertDataset} runs it. */
@AutoValue
public abstract class DatasetConversion implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The prepared input (its size already capped by {@code --max-images}). */
  public abstract PreparedSource source();

  /** The crop/resize applied to every image. */
  public abstract ImageTransform transform();

  /** A folder every worker can write to: shard files and the report go there. */
  public abstract String workDir();

  /** Where the final writer puts the dataset (a temporary name; the caller renames it). */
  public abstract String output();

  /** ZIP archive or plain folder. */
  public abstract boolean outputZip();

  /** Skip (and count) unreadable images instead of failing on the first. */
  public abstract boolean skipBad();

  /** Images per shard: the unit of parallel work. */
  public abstract int shardSize();

  /** Identifies the run in progress lines. */
  public abstract String runId();

  public static Builder builder() {
    return new AutoValue_DatasetConversion.Builder()
        .setSkipBad(false)
        .setShardSize(1000)
        .setRunId(java.util.UUID.randomUUID().toString());
  }

  /** A shard size that gives every worker several shards on small inputs and caps it on large. */
  public static int defaultShardSize(long images) {
    return (int) Math.max(16, Math.min(1000, (images + 63) / 64));
  }

  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder setSource(PreparedSource source);

    public abstract Builder setTransform(ImageTransform transform);

    public abstract Builder setWorkDir(String workDir);

    public abstract Builder setOutput(String output);

    public abstract Builder setOutputZip(boolean zip);

    public abstract Builder setSkipBad(boolean skipBad);

    public abstract Builder setShardSize(int shardSize);

    public abstract Builder setRunId(String runId);

    public abstract DatasetConversion build();
  }
}

package dev.cdm.transforms.evaluate;

import dev.cdm.fid.FeatureMoments;
import dev.cdm.fid.InceptionScore;
import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the detector saw of one repeat's samples, as mergeable partial results: the feature moments
 * (FID), the Inception Score sums (null when the detector has no class probabilities), and the
 * features of the first images of the repeat by position (the KID sample). Workers score their
 * bundles separately; {@link #merge} adds them up in any order.
 */
public final class SampleScores implements Serializable {
  private static final long serialVersionUID = 1L;

  private FeatureMoments moments;
  private InceptionScore inception;
  private boolean noProbabilities;
  private final TreeMap<Long, float[]> kidFeatures;

  public SampleScores() {
    this.moments = new FeatureMoments(0);
    this.kidFeatures = new TreeMap<>();
  }

  public FeatureMoments moments() {
    return moments;
  }

  /** The Inception Score sums, or null when the detector gave no class probabilities. */
  public InceptionScore inception() {
    return noProbabilities ? null : inception;
  }

  /** Features of the KID sample by position in the repeat (not a copy). */
  public Map<Long, float[]> kidFeatures() {
    return kidFeatures;
  }

  void addMoments(FeatureMoments m) {
    moments = moments.merge(m);
  }

  void addProbabilities(int part, float[] probs, int splits) {
    if (inception == null) {
      inception = new InceptionScore(splits);
    }
    inception.add(part, probs);
  }

  void markNoProbabilities() {
    noProbabilities = true;
  }

  void addKidFeatures(long position, float[] features) {
    kidFeatures.put(position, features);
  }

  /** Adds {@code other} into this. */
  public SampleScores merge(SampleScores other) {
    moments = moments.merge(other.moments);
    noProbabilities |= other.noProbabilities;
    if (other.inception != null) {
      inception =
          inception == null
              ? new InceptionScore(other.inception.splits()).merge(other.inception)
              : inception.merge(other.inception);
    }
    kidFeatures.putAll(other.kidFeatures);
    return this;
  }
}

package dev.cdm.model.training;

import com.google.auto.value.AutoValue;
import com.google.gson.GsonBuilder;
import dev.cdm.model.augment.AugmentPipe;
import dev.cdm.model.io.ObjectConfig;
import dev.cdm.model.loss.EDMLoss;
import dev.cdm.model.loss.Loss;
import dev.cdm.model.loss.MartingaleLoss;
import dev.cdm.model.loss.VELoss;
import dev.cdm.model.loss.VPLoss;
import dev.cdm.model.precond.Precision;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One training run as {@code train.py}'s flags describe it (names and defaults as there), with what
 * the run needs from its dataset. Everything the run is built from comes from here: the {@code
 * training_options.json} it records ({@link #optionsJson}), the loss, the augment pipe, the network
 * factory and the loop's options, so that what a run records is what it trains with.
 */
@AutoValue
public abstract class TrainingConfig {
  /** {@code --data}, as given (recorded in {@code dataset_kwargs.path}). */
  public abstract String data();

  public abstract boolean cond();

  /** ddpmpp, ncsnpp or adm. */
  public abstract String arch();

  /** vp, ve, edm or cdm. */
  public abstract String precond();

  /** Training duration in Mimg. */
  public abstract double duration();

  public abstract int batch();

  @Nullable
  public abstract Integer batchGpu();

  @Nullable
  public abstract Integer cbase();

  @Nullable
  public abstract List<Integer> cres();

  public abstract double lr();

  /** EMA half-life in Mimg. */
  public abstract double ema();

  public abstract double dropout();

  public abstract double augment();

  public abstract double sChurn();

  public abstract double sMin();

  public abstract double sMax();

  public abstract double sNoise();

  public abstract double martingaleLambda();

  public abstract int martingaleSteps();

  public abstract boolean xflip();

  public abstract boolean fp16();

  /** Run CDM's no-grad backward-SDE chains in fp16 (ours, not recorded). */
  public abstract boolean chainFp16();

  /** Loss scaling. */
  public abstract double ls();

  /** cuDNN benchmarking (recorded only). */
  public abstract boolean bench();

  public abstract boolean cache();

  public abstract int workers();

  /** Tick length in kimg (fractions allowed). */
  public abstract double tick();

  public abstract int snap();

  public abstract int dump();

  public abstract long seed();

  /** {@code --transfer}: the snapshot to start from, or null. */
  @Nullable
  public abstract String transfer();

  /**
   * {@code --resume}: the training state to continue from, as given (a local path or the URI of a
   * remote file), or null.
   */
  @Nullable
  public abstract String resume();

  /** The kimg in the resumed state's name (null without --resume). */
  @Nullable
  public abstract Double resumeKimg();

  public abstract double lrRampup();

  @Nullable
  public abstract Integer numBlocks();

  @Nullable
  public abstract Long maxSteps();

  @Nullable
  public abstract Double maxMinutes();

  /**
   * The run directory as the user will find it: a local path, or the URI of a folder on another
   * file system ({@code gs://bucket/runs/00000-...}) that the run is published to.
   */
  public abstract String runDir();

  /** The dataset's image resolution. */
  public abstract int resolution();

  public abstract int channels();

  /** The dataset's label dimension (0 when unconditional). */
  public abstract int labelDim();

  /** {@code len(dataset)}: doubled by --xflip, as the reference records it. */
  public abstract long datasetSize();

  /**
   * The defaults of {@code train.py}; data, seed, run directory and the dataset's numbers must be
   * set.
   */
  public static Builder builder() {
    return new AutoValue_TrainingConfig.Builder()
        .setCond(false)
        .setArch("ddpmpp")
        .setPrecond("cdm")
        .setDuration(200)
        .setBatch(512)
        .setLr(10e-4)
        .setEma(0.5)
        .setDropout(0.13)
        .setAugment(0.12)
        .setSChurn(10.0)
        .setSMin(0.01)
        .setSMax(1.0)
        .setSNoise(1.007)
        .setMartingaleLambda(10.0)
        .setMartingaleSteps(6)
        .setXflip(false)
        .setFp16(false)
        .setChainFp16(false)
        .setLs(1)
        .setBench(true)
        .setCache(true)
        .setWorkers(1)
        .setTick(50)
        .setSnap(50)
        .setDump(500)
        .setLrRampup(10000);
  }

  public abstract Builder toBuilder();

  /** The training duration in whole kimg (at least 1), as the reference records it. */
  public long totalKimg() {
    return Math.max((long) (duration() * 1000), 1);
  }

  /** The EMA ramp-up ratio: 0.05, none with --transfer. */
  @Nullable
  public Double emaRampupRatio() {
    return transfer() != null ? null : 0.05;
  }

  public Precision precision() {
    return fp16() ? Precision.FP16 : Precision.FP32;
  }

  /** The preconditioning class of {@code --precond} (cdm trains an EDMPrecond). */
  public String precondClass() {
    return PrecondNetworks.precondClass(precond());
  }

  /** {@code c.network_kwargs} without its class name. */
  public Map<String, Object> networkKwargs() {
    Map<String, Object> kw =
        PrecondNetworks.networkKwargs(arch(), cbase(), cres(), dropout(), fp16(), augment() > 0);
    if (numBlocks() != null) {
      kw.put("num_blocks", numBlocks());
    }
    return kw;
  }

  /** Fresh networks of this configuration for the dataset's images and labels. */
  public NetworkFactory networkFactory() {
    return PrecondNetworks.factory(
        precondClass(), networkKwargs(), resolution(), channels(), labelDim(), precision());
  }

  /** {@code c.dataset_kwargs}. */
  public Map<String, Object> datasetKwargs() {
    Map<String, Object> kw = new LinkedHashMap<>();
    kw.put("class_name", "training.dataset.ImageFolderDataset");
    kw.put("path", data());
    kw.put("use_labels", cond());
    kw.put("xflip", xflip());
    kw.put("cache", cache());
    kw.put("resolution", resolution());
    kw.put("max_size", datasetSize());
    return kw;
  }

  /** {@code c.loss_kwargs}. */
  public Map<String, Object> lossKwargs() {
    Map<String, Object> kw = new LinkedHashMap<>();
    switch (precond()) {
      case "vp":
        kw.put("class_name", "training.loss.VPLoss");
        break;
      case "ve":
        kw.put("class_name", "training.loss.VELoss");
        break;
      case "edm":
        kw.put("class_name", "training.loss.EDMLoss");
        break;
      default:
        kw.put("class_name", "training.loss.MartingaleLoss");
        kw.put("martingale_lambda", martingaleLambda());
        kw.put("S_churn", sChurn());
        kw.put("S_min", sMin());
        kw.put("S_max", sMax());
        kw.put("S_noise", sNoise());
        kw.put("num_steps", martingaleSteps());
    }
    return kw;
  }

  /** The loss that {@link #lossKwargs} records. */
  public Loss loss() {
    switch (precond()) {
      case "vp":
        return new VPLoss();
      case "ve":
        return new VELoss();
      case "edm":
        return new EDMLoss();
      default:
        MartingaleLoss loss =
            new MartingaleLoss(
                -1.2,
                1.2,
                0.5,
                0.0,
                0.05,
                martingaleSteps(),
                7,
                martingaleLambda(),
                sChurn(),
                sMin(),
                sMax(),
                sNoise());
        if (chainFp16()) {
          loss.withChainNet(
              net ->
                  new PrecisionView(
                      PrecondNetworks.precond((TrainableNetwork) net), Precision.FP16));
        }
        return loss;
    }
  }

  /** {@code c.augment_kwargs}, or null without augmentation. */
  @Nullable
  public Map<String, Object> augmentKwargs() {
    if (!(augment() > 0)) {
      return null;
    }
    Map<String, Object> kw = new LinkedHashMap<>();
    kw.put("class_name", "training.augment.AugmentPipe");
    kw.put("p", augment());
    kw.put("xflip", 1e8);
    kw.put("yflip", 1);
    kw.put("scale", 1);
    kw.put("rotate_frac", 1);
    kw.put("aniso", 1);
    kw.put("translate_frac", 1);
    return kw;
  }

  /** The augment pipe that {@link #augmentKwargs} records, or null. */
  @Nullable
  public AugmentPipe augmentPipe() {
    return augment() > 0 ? AugmentPipe.training(augment()) : null;
  }

  /** The loss as a snapshot records it. */
  public ObjectConfig lossConfig() {
    return objectConfig(lossKwargs());
  }

  /** The augment pipe as a snapshot records it, or null. */
  @Nullable
  public ObjectConfig augmentConfig() {
    Map<String, Object> kw = augmentKwargs();
    return kw == null ? null : objectConfig(kw);
  }

  /** {@code training_options.json}: train.py's {@code c}, key for key in its order. */
  public Map<String, Object> options() {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("dataset_kwargs", datasetKwargs());
    // train.py's order; Map.of would iterate in an order that changes from one JVM to the next.
    Map<String, Object> loader = new LinkedHashMap<>();
    loader.put("pin_memory", true);
    loader.put("num_workers", workers());
    loader.put("prefetch_factor", 2);
    c.put("data_loader_kwargs", loader);
    Map<String, Object> nk = new LinkedHashMap<>();
    nk.put("class_name", precondClass());
    nk.putAll(networkKwargs());
    c.put("network_kwargs", nk);
    c.put("loss_kwargs", lossKwargs());
    Map<String, Object> optimizerKwargs = new LinkedHashMap<>();
    optimizerKwargs.put("class_name", "torch.optim.Adam");
    optimizerKwargs.put("lr", lr());
    optimizerKwargs.put("betas", List.of(0.9, 0.999));
    optimizerKwargs.put("eps", 1e-8);
    c.put("optimizer_kwargs", optimizerKwargs);
    if (augmentKwargs() != null) {
      c.put("augment_kwargs", augmentKwargs());
    }
    c.put("total_kimg", totalKimg());
    c.put("ema_halflife_kimg", (long) (ema() * 1000));
    c.put("batch_size", batch());
    c.put("batch_gpu", batchGpu());
    c.put("loss_scaling", ls());
    c.put("cudnn_benchmark", bench());
    c.put("kimg_per_tick", wholeAsLong(tick()));
    if (lrRampup() != 10000) { // the reference's training_loop default: recorded only when changed
      c.put("lr_rampup_kimg", lrRampup());
    }
    c.put("snapshot_ticks", snap());
    c.put("state_dump_ticks", dump());
    c.put("seed", seed());
    if (transfer() != null) {
      c.put("resume_pkl", transfer());
      c.put("ema_rampup_ratio", null);
    } else if (resume() != null) {
      c.put("resume_kimg", wholeAsLong(resumeKimg()));
      c.put("resume_state_dump", resume());
    }
    c.put("run_dir", runDir());
    return c;
  }

  /** {@link #options} as train.py writes it: indented JSON, nulls kept. */
  public String optionsJson() {
    return new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(options());
  }

  /**
   * The training loop's numbers; the loop writes its files to {@code localRunDir} (the run
   * directory itself when it is local, else the local folder that is published to it).
   */
  public TrainingOptions loopOptions(Path localRunDir) {
    return TrainingOptions.builder()
        .runDir(localRunDir)
        .seed(seed())
        .batchSize(batch())
        .batchGpu(batchGpu())
        .totalKimg(totalKimg())
        .emaHalflifeKimg((long) (ema() * 1000))
        .emaRampupRatio(emaRampupRatio())
        .lr(lr())
        .lrRampupKimg(lrRampup())
        .lossScaling(ls())
        .kimgPerTick(tick())
        .snapshotTicks(snap())
        .stateDumpTicks(dump())
        .maxSteps(maxSteps())
        .maxSeconds(maxMinutes() == null ? null : maxMinutes() * 60)
        .decimalKimgNames(tick() != Math.rint(tick()))
        .build();
  }

  /** A whole number as an integer (Python's int in the JSON), others as they are. */
  private static Object wholeAsLong(double v) {
    return v == Math.rint(v) ? (Object) (long) v : (Object) v;
  }

  private static ObjectConfig objectConfig(Map<String, Object> kwargs) {
    Map<String, Object> kw = new LinkedHashMap<>(kwargs);
    String cls = (String) kw.remove("class_name");
    return ObjectConfig.of(cls.substring(cls.lastIndexOf('.') + 1), List.of(), kw);
  }

  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder setData(String v);

    public abstract Builder setCond(boolean v);

    public abstract Builder setArch(String v);

    public abstract Builder setPrecond(String v);

    public abstract Builder setDuration(double v);

    public abstract Builder setBatch(int v);

    public abstract Builder setBatchGpu(@Nullable Integer v);

    public abstract Builder setCbase(@Nullable Integer v);

    public abstract Builder setCres(@Nullable List<Integer> v);

    public abstract Builder setLr(double v);

    public abstract Builder setEma(double v);

    public abstract Builder setDropout(double v);

    public abstract Builder setAugment(double v);

    public abstract Builder setSChurn(double v);

    public abstract Builder setSMin(double v);

    public abstract Builder setSMax(double v);

    public abstract Builder setSNoise(double v);

    public abstract Builder setMartingaleLambda(double v);

    public abstract Builder setMartingaleSteps(int v);

    public abstract Builder setXflip(boolean v);

    public abstract Builder setFp16(boolean v);

    public abstract Builder setChainFp16(boolean v);

    public abstract Builder setLs(double v);

    public abstract Builder setBench(boolean v);

    public abstract Builder setCache(boolean v);

    public abstract Builder setWorkers(int v);

    public abstract Builder setTick(double v);

    public abstract Builder setSnap(int v);

    public abstract Builder setDump(int v);

    public abstract Builder setSeed(long v);

    public abstract Builder setTransfer(@Nullable String v);

    public abstract Builder setResume(@Nullable String v);

    public abstract Builder setResumeKimg(@Nullable Double v);

    public abstract Builder setLrRampup(double v);

    public abstract Builder setNumBlocks(@Nullable Integer v);

    public abstract Builder setMaxSteps(@Nullable Long v);

    public abstract Builder setMaxMinutes(@Nullable Double v);

    public abstract Builder setRunDir(String v);

    public abstract Builder setResolution(int v);

    public abstract Builder setChannels(int v);

    public abstract Builder setLabelDim(int v);

    public abstract Builder setDatasetSize(long v);

    public abstract TrainingConfig build();
  }
}

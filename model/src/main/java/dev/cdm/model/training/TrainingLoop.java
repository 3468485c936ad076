package dev.cdm.model.training;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.cdm.model.augment.Augmentation;
import dev.cdm.model.loss.Loss;
import dev.cdm.model.loss.SeededRandomSource;
import dev.cdm.model.torch.Autograd;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * The reference's {@code training_loop}: {@link Replicas} accumulate gradients on every device, the
 * {@link OptimizerStep} guards them and updates the weights and their EMA, the {@link TickReport}
 * prints the status line and appends {@code stats.jsonl} every tick, and the {@link Checkpoints}
 * write snapshots, training states and the done marker.
 *
 * <p>Determinism: the images of step k are positions [cur_nimg, cur_nimg + batch) of the dataset's
 * seeded stream, and every random draw of replica r in round a comes from a {@link
 * SeededRandomSource} keyed by (seed, k, r, a). A run resumed from a training state therefore
 * computes exactly what the uninterrupted run would (bit for bit on one device).
 */
public final class TrainingLoop {
  /** See {@link Checkpoints#DONE_MARKER}. */
  public static final String DONE_MARKER = Checkpoints.DONE_MARKER;

  private final TrainingOptions opts;
  private final BatchSource data;
  private final Loss loss;
  private final Augmentation augment;
  private final Replicas replicas;
  private final OptimizerStep optimizer;
  private final TickReport report;
  private final Checkpoints checkpoints;
  private final Consumer<String> log;
  private long curNimg;
  private long curTick;
  private final StepListener listener;
  private final ArtefactListener artefacts;

  private TrainingLoop(Builder b) {
    this.opts = b.options;
    this.data = b.data;
    this.loss = b.loss;
    this.augment = b.augmentation;
    this.log = b.log;
    this.listener = b.stepListener;
    TrainingState resume = b.resume;

    // The replicas start identical: replica 0 is initialised from the seed, the others copy it.
    this.replicas =
        new Replicas(
            b.devices, b.root, b.networkFactory, opts.batchSize(), opts.batchGpu(), opts.seed());
    Map<String, NDArray> p0 = replicas.master().net().parameters();
    if (resume != null) {
      Weights.copyInto(p0, resume.net(), "--resume net");
    } else if (b.initialWeights != null) {
      Weights.transfer(p0, b.initialWeights, log);
    }
    for (int r = 1; r < replicas.size(); r++) {
      Weights.copyInto(replicas.get(r).net().parameters(), p0, "replica " + r);
    }
    TrainableNetwork ema = b.networkFactory.create(replicas.master().manager());
    ema.setTraining(false);
    Weights.copyInto(
        ema.parameters(), resume != null && !resume.ema().isEmpty() ? resume.ema() : p0, "ema");
    for (Replicas.Replica rep : replicas.all()) {
      rep.net().setTraining(true);
      for (NDArray p : rep.net().parameters().values()) {
        p.setRequiresGradient(true);
      }
    }
    replicas.linkFlatParameters();
    this.optimizer = new OptimizerStep(opts, ema);
    if (resume != null) {
      if (resume.adamStep() > 0) {
        optimizer
            .adam()
            .restore(
                replicas.master().net().parameters(),
                resume.expAvg(),
                resume.expAvgSq(),
                resume.adamStep());
      }
      curNimg = resume.curNimg();
      curTick = resume.curTick();
      if (resume.seed() != opts.seed()) {
        throw new IllegalArgumentException(
            "--resume: training state was written with --seed="
                + resume.seed()
                + " but this run has --seed="
                + opts.seed());
      }
    }
    this.report = new TickReport(opts, log, replicas.master().manager().getDevice());
    this.artefacts = b.artefactListener;
    this.checkpoints =
        new Checkpoints(opts, b.snapshotWriter, b.snapshotExtension, b.artefactListener);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** What the loop runs: every setter but the optional ones is required. */
  public static final class Builder {
    private TrainingOptions options;
    private BatchSource data;
    private NetworkFactory networkFactory;
    private Loss loss;
    private Augmentation augmentation;
    private List<Device> devices;
    private NDManager root;
    private Map<String, NDArray> initialWeights;
    private TrainingState resume;
    private SnapshotWriter snapshotWriter;
    private String snapshotExtension = ".safetensors";
    private Consumer<String> log = line -> {};
    private StepListener stepListener = StepListener.NONE;
    private ArtefactListener artefactListener = ArtefactListener.NONE;

    private Builder() {}

    public Builder setOptions(TrainingOptions v) {
      this.options = v;
      return this;
    }

    /** The training images, in the dataset's seeded order. */
    public Builder setData(BatchSource v) {
      this.data = v;
      return this;
    }

    /** Makes one copy of the network on a manager (one per replica, one for the EMA). */
    public Builder setNetworkFactory(NetworkFactory v) {
      this.networkFactory = v;
      return this;
    }

    public Builder setLoss(Loss v) {
      this.loss = v;
      return this;
    }

    /** Optional: the augment pipe (null: none). */
    public Builder setAugmentation(Augmentation v) {
      this.augmentation = v;
      return this;
    }

    /** One replica per device (a list of CPU devices gives CPU replicas, for tests). */
    public Builder setDevices(List<Device> v) {
      this.devices = v;
      return this;
    }

    /** Owns the replicas' managers. */
    public Builder setRoot(NDManager v) {
      this.root = v;
      return this;
    }

    /** Optional: weights to start from (transfer learning); null: the factory's initialisation. */
    public Builder setInitialWeights(Map<String, NDArray> v) {
      this.initialWeights = v;
      return this;
    }

    /** Optional: a training state to continue from. */
    public Builder setResume(TrainingState v) {
      this.resume = v;
      return this;
    }

    /** Optional: writes the snapshots (null: none are written). */
    public Builder setSnapshotWriter(SnapshotWriter v) {
      this.snapshotWriter = v;
      return this;
    }

    /** The snapshots' file extension (default {@code .safetensors}). */
    public Builder setSnapshotExtension(String v) {
      this.snapshotExtension = v;
      return this;
    }

    /** Receives every status line (the command prints them and appends them to log.txt). */
    public Builder setLog(Consumer<String> v) {
      this.log = v;
      return this;
    }

    /** Optional: observes every step and its phases (default: none). */
    public Builder setStepListener(StepListener v) {
      this.stepListener = v;
      return this;
    }

    /**
     * Optional: told of every finished file of the run directory (default: none), e.g. to publish
     * the run to another file system as it grows.
     */
    public Builder setArtefactListener(ArtefactListener v) {
      this.artefactListener = v;
      return this;
    }

    /** Makes the replicas and loads the initial or resumed weights. */
    public TrainingLoop build() {
      for (Object[] required :
          new Object[][] {
            {options, "options"},
            {data, "data"},
            {networkFactory, "networkFactory"},
            {loss, "loss"},
            {devices, "devices"},
            {root, "root"},
            {snapshotExtension, "snapshotExtension"},
            {log, "log"},
            {stepListener, "stepListener"},
            {artefactListener, "artefactListener"}
          }) {
        if (required[0] == null) {
          throw new IllegalStateException("TrainingLoop.Builder: " + required[1] + " not set");
        }
      }
      return new TrainingLoop(this);
    }
  }

  public int batchGpu() {
    return replicas.batchGpu();
  }

  public int accumulationRounds() {
    return replicas.rounds();
  }

  public long curNimg() {
    return curNimg;
  }

  /** The live weights of replica 0 (after training: the trained network). */
  public Map<String, NDArray> parameters() {
    return replicas.master().net().parameters();
  }

  public TrainableNetwork ema() {
    return optimizer.ema();
  }

  /** Mean loss per element over the last completed tick. */
  public double lastLossMean() {
    return report.lastLossMean();
  }

  /** Sees the reduced gradients of every step before the guard and the update (tests). */
  void onGradients(Consumer<Map<String, NDArray>> hook) {
    optimizer.onGradients = hook;
  }

  /** Runs until total_kimg (or maxSteps, or maxSeconds); returns the number of images seen. */
  public long run() throws IOException {
    checkpoints.clearDoneMarker();
    report.start(curNimg);
    long steps = 0;
    if (opts.maxSteps() != null && opts.maxSteps() == 0) {
      // No step: the initial network as the first snapshot (an untrained baseline).
      if (checkpoints.writesSnapshots()) {
        checkpoints.saveSnapshot(curNimg, optimizer.ema());
      }
      log.accept("--max-steps=0: wrote the initial network, no training.");
      return curNimg;
    }
    log.accept("Training for " + opts.totalKimg() + " kimg...");
    log.accept("");
    CompletableFuture<List<TrainingSet.HostBatch>> next = replicas.prefetch(data, curNimg);
    while (true) {
      List<TrainingSet.HostBatch> batches = join(next);
      long stepNimg = curNimg;
      long stepIndex = curNimg / opts.batchSize();
      next = replicas.prefetch(data, curNimg + opts.batchSize());
      step(stepIndex, batches, stepNimg);
      curNimg += opts.batchSize();
      steps++;
      listener.stepDone(steps);
      boolean done =
          curNimg >= opts.totalKimg() * 1000
              || (opts.maxSteps() != null && steps >= opts.maxSteps())
              || (opts.maxSeconds() != null && report.elapsedSeconds() >= opts.maxSeconds());
      if (!report.tickEnds(curNimg, curTick, done)) {
        report.progress(curNimg, curTick);
        continue;
      }
      long tickEnd = report.statusLine(curNimg, curTick);
      Integer snap = opts.snapshotTicks();
      if (snap != null && checkpoints.writesSnapshots() && (done || curTick % snap == 0)) {
        checkpoints.saveSnapshot(curNimg, optimizer.ema());
      }
      Integer dump = opts.stateDumpTicks();
      if (dump != null && (done || curTick % dump == 0) && curTick != 0) {
        checkpoints.saveState(
            curNimg, curTick, optimizer.adam(), parameters(), optimizer.ema().parameters());
      }
      report.appendStats();
      artefacts.tickEnded(curTick);
      curTick++;
      report.nextTick(curNimg, tickEnd);
      if (done) {
        break;
      }
    }
    join(next);
    replicas.close();
    checkpoints.writeDoneMarker(curNimg);
    log.accept("");
    log.accept("Exiting...");
    return curNimg;
  }

  private static <T> T join(CompletableFuture<T> f) {
    try {
      return f.join();
    } catch (CompletionException e) {
      Throwable c = e.getCause();
      throw c instanceof RuntimeException ? (RuntimeException) c : new RuntimeException(c);
    }
  }

  /** One optimizer step: accumulate on every replica, reduce, guard, Adam, broadcast, EMA. */
  private void step(long stepIndex, List<TrainingSet.HostBatch> batches, long stepNimg) {
    double scale = opts.lossScaling() / (double) (replicas.batchGpu() * replicas.rounds());
    listener.stepStarted();
    // Forward, backward and the flattening of the gradient run on each replica's own thread.
    List<Replicas.Result> results =
        replicas.onEach(
            r -> {
              Replicas.Replica rep = replicas.get(r);
              listener.replicaStarted(r);
              NDArray moments =
                  replicas.accumulate(rep, stepIndex, batches, scale, loss, augment, opts.seed());
              NDArray flat = replicas.flatGradient(rep);
              listener.replicaQueued(r);
              return new Replicas.Result(moments, flat);
            });
    listener.phaseQueued("accumulate");
    FlatParameters p0 = replicas.masterFlat();

    NDArray flat = Replicas.averageGradients(results);
    listener.phaseQueued("reduce");

    optimizer.adam(p0, flat, stepNimg);
    listener.phaseQueued("adam");

    optimizer.broadcast(replicas);
    listener.phaseQueued("broadcast");

    Autograd.noGrad(
        () -> {
          optimizer.updateEma(p0, stepNimg);
          report.addLossMoments(Replicas.sumMoments(results));
          return null;
        });
    listener.phaseQueued("ema");
  }
}

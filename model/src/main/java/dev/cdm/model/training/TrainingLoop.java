package dev.cdm.model.training;

import dev.cdm.model.nn.HostScalars;
import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.DataType;
import ai.djl.util.cuda.CudaUtils;
import com.google.gson.JsonObject;
import dev.cdm.model.augment.Augmentation;
import dev.cdm.model.loss.Loss;
import dev.cdm.model.loss.SeededRandomSource;
import dev.cdm.model.nn.DropoutStream;
import dev.cdm.model.torch.Autograd;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * The reference's {@code training_loop}: data-parallel replicas (one thread per device, each with
 * its own copy of the network) accumulate gradients of {@code loss.sum() * loss_scaling /
 * batch_gpu_total} over {@code batch / (replicas * batch_gpu)} rounds; the gradients are averaged
 * onto replica 0 (as DDP's all-reduce does), guarded against nan/inf, and Adam updates replica 0's
 * weights, which are then copied to the others; the EMA follows with the reference's half-life and
 * ramp-up. Ticks print the reference's status line (plus an ETA), append {@code stats.jsonl},
 * write {@code network-snapshot-NNNNNN} and {@code training-state-NNNNNN} files atomically.
 *
 * <p>Determinism: the images of step k are positions [cur_nimg, cur_nimg + batch) of the
 * dataset's seeded stream, and every random draw of replica r in round a comes from a
 * {@link SeededRandomSource} keyed by (seed, k, r, a). A run resumed from a training state
 * therefore computes exactly what the uninterrupted run would (bit for bit on one device).
 */
public final class TrainingLoop {
  private final TrainingOptions opts;
  private final BatchSource data;
  private final Loss loss;
  private final Augmentation augment;
  private final List<Replica> replicas = new ArrayList<>();
  private final TrainableNetwork ema;
  private final SnapshotWriter snapshots;
  private final String snapshotExtension;
  private final Adam adam = new Adam();
  private final Ema emaSchedule;
  private final TrainingStats stats = new TrainingStats();
  private final Consumer<String> log;
  private final ExecutorService pool;
  private final int batchGpu;
  private final int rounds;

  /** Sees the reduced gradients of every step before the guard and the update (tests). */
  Consumer<Map<String, NDArray>> onGradients;

  private static final long PROGRESS_INTERVAL_NS = 60_000_000_000L;
  private long lastProgress = System.nanoTime();
  private long curNimg;
  private long curTick;
  private double lastLossMean = Double.NaN;

  /** One data-parallel replica: a device, a manager on it, and a copy of the network. */
  private record Replica(int rank, NDManager manager, TrainableNetwork net) {}

  /**
   * @param devices one replica per device (a list of CPU devices gives CPU replicas, for tests)
   * @param initial weights to start from (transfer learning), or null for the factory's initialisation
   * @param resume a training state to continue from, or null
   * @param log receives every status line (the command prints them and appends them to log.txt)
   */
  public TrainingLoop(
      TrainingOptions opts,
      BatchSource data,
      NetworkFactory factory,
      Loss loss,
      Augmentation augment,
      List<Device> devices,
      NDManager root,
      Map<String, NDArray> initial,
      TrainingState resume,
      SnapshotWriter snapshots,
      String snapshotExtension,
      Consumer<String> log) {
    this.opts = opts;
    this.data = data;
    this.loss = loss;
    this.augment = augment;
    this.snapshots = snapshots;
    this.snapshotExtension = snapshotExtension;
    this.log = log;
    int world = devices.size();
    int batchGpuTotal = opts.batchSize() / world;
    int bg = opts.batchGpu() == null || opts.batchGpu() > batchGpuTotal ? batchGpuTotal : opts.batchGpu();
    this.batchGpu = bg;
    this.rounds = batchGpuTotal / bg;
    if (opts.batchSize() != bg * rounds * world) {
      throw new IllegalArgumentException("--batch=" + opts.batchSize() + " must equal --batch-gpu=" + bg
          + " x accumulation rounds x " + world + " devices");
    }
    this.emaSchedule = new Ema(opts.emaHalflifeKimg(), opts.emaRampupRatio());

    // The replicas start identical: replica 0 is initialised from the seed, the others copy it.
    Engine.getInstance().setRandomSeed((int) (SeededRandomSource.streamOf(-1, 0, 0) ^ opts.seed()));
    for (int r = 0; r < world; r++) {
      NDManager m = root.newSubManager(devices.get(r));
      TrainableNetwork net = factory.create(m);
      replicas.add(new Replica(r, m, net));
    }
    Map<String, NDArray> p0 = master().net().parameters();
    if (resume != null) {
      copyInto(p0, resume.net(), "--resume net");
    } else if (initial != null) {
      transfer(p0, initial, log);
    }
    for (int r = 1; r < world; r++) {
      copyInto(replicas.get(r).net().parameters(), p0, "replica " + r);
    }
    this.ema = factory.create(replicas.get(0).manager());
    ema.setTraining(false);
    copyInto(ema.parameters(), resume != null && !resume.ema().isEmpty() ? resume.ema() : p0, "ema");
    for (Replica rep : replicas) {
      rep.net().setTraining(true);
      for (NDArray p : rep.net().parameters().values()) {
        p.setRequiresGradient(true);
      }
    }
    if (resume != null) {
      if (resume.adamStep() > 0) {
        adam.restore(master().net().parameters(), resume.expAvg(), resume.expAvgSq(), resume.adamStep());
      }
      curNimg = resume.curNimg();
      curTick = resume.curTick();
      if (resume.seed() != opts.seed()) {
        throw new IllegalArgumentException("--resume: training state was written with --seed=" + resume.seed()
            + " but this run has --seed=" + opts.seed());
      }
    }
    this.pool = world > 1 ? Executors.newFixedThreadPool(world, r -> {
      Thread t = new Thread(r, "cdm-replica");
      t.setDaemon(true);
      return t;
    }) : null;
  }

  private Replica master() {
    return replicas.get(0);
  }

  public int batchGpu() {
    return batchGpu;
  }

  public int accumulationRounds() {
    return rounds;
  }

  public long curNimg() {
    return curNimg;
  }

  /** The live weights of replica 0 (after training: the trained network). */
  public Map<String, NDArray> parameters() {
    return master().net().parameters();
  }

  public TrainableNetwork ema() {
    return ema;
  }

  /** Mean loss per element over the last completed step. */
  public double lastLossMean() {
    return lastLossMean;
  }

  /**
   * The reference's copy_params_and_buffers(require_all=False): parameters the source has are
   * copied (a shape mismatch is an error), the others keep their fresh initialisation.
   */
  private static void transfer(Map<String, NDArray> dst, Map<String, NDArray> src, Consumer<String> log) {
    Map<String, NDArray> present = new LinkedHashMap<>();
    for (String k : dst.keySet()) {
      if (src.containsKey(k)) {
        present.put(k, dst.get(k));
      }
    }
    copyInto(present, src, "--transfer");
    log.accept(String.format(java.util.Locale.ROOT, "Transferred %d of %d parameter tensors.", present.size(), dst.size()));
  }

  private static void copyInto(Map<String, NDArray> dst, Map<String, NDArray> src, String what) {
    Autograd.noGrad(() -> {
      for (Map.Entry<String, NDArray> e : dst.entrySet()) {
        NDArray s = src.get(e.getKey());
        if (s == null) {
          throw new IllegalArgumentException(what + ": no weights for parameter '" + e.getKey() + "'");
        }
        if (!s.getShape().equals(e.getValue().getShape())) {
          throw new IllegalArgumentException(what + ": parameter '" + e.getKey() + "' has shape "
              + s.getShape() + ", the network expects " + e.getValue().getShape());
        }
        Tensors.assign(e.getValue(), s);
      }
      return null;
    });
  }

  /**
   * Written to the run directory after the last snapshot (JSON: {@code nimg}, {@code timestamp}),
   * so that an evaluation watching the run knows that no snapshot will follow.
   */
  public static final String DONE_MARKER = "training-done.json";

  /** Runs until total_kimg (or maxSteps, or maxSeconds); returns the number of images seen. */
  public long run() throws IOException {
    Files.deleteIfExists(opts.runDir().resolve(DONE_MARKER));
    long startTime = System.nanoTime();
    long tickStartNimg = curNimg;
    long tickStartTime = startTime;
    double maintenance = 0;
    long steps = 0;
    if (opts.maxSteps() != null && opts.maxSteps() == 0) {
      // No step: the initial network as the first snapshot (an untrained baseline).
      if (snapshots != null) {
        saveSnapshot();
      }
      log.accept("--max-steps=0: wrote the initial network, no training.");
      return curNimg;
    }
    log.accept("Training for " + opts.totalKimg() + " kimg...");
    log.accept("");
    CompletableFuture<List<TrainingSet.HostBatch>> next = prefetch(curNimg);
    while (true) {
      List<TrainingSet.HostBatch> batches = join(next);
      long stepNimg = curNimg;
      long stepIndex = curNimg / opts.batchSize();
      next = prefetch(curNimg + opts.batchSize());
      step(stepIndex, batches, stepNimg);
      curNimg += opts.batchSize();
      steps++;
      stepListener.accept(steps);
      boolean done = curNimg >= opts.totalKimg() * 1000
          || (opts.maxSteps() != null && steps >= opts.maxSteps())
          || (opts.maxSeconds() != null && (System.nanoTime() - startTime) / 1e9 >= opts.maxSeconds());
      if (!done && curTick != 0 && curNimg < tickStartNimg + opts.kimgPerTick() * 1000) {
        // Ticks can be many minutes apart: a short progress line at most once a minute between them.
        long now = System.nanoTime();
        if (now - lastProgress > PROGRESS_INTERVAL_NS) {
          double rate = (curNimg - tickStartNimg) / ((now - tickStartTime) / 1e9);
          double left = timeBound(Math.max(opts.totalKimg() * 1000 - curNimg, 0) / Math.max(rate, 1e-9), startTime);
          log.accept(String.format(java.util.Locale.ROOT, "  ... kimg %.1f of %.1f, %.1f img/s, tick %d at kimg %.1f, eta %s",
              curNimg / 1e3, opts.totalKimg(), rate, curTick,
              (tickStartNimg + opts.kimgPerTick() * 1000) / 1e3, TrainingStats.formatTime(left)));
          lastProgress = now;
        }
        continue;
      }
      lastProgress = System.nanoTime();

      // Status line with the reference's fields, plus the rate and an ETA.
      drainLoss();
      long tickEnd = System.nanoTime();
      double total = (tickEnd - startTime) / 1e9;
      double secTick = (tickEnd - tickStartTime) / 1e9;
      double secKimg = secTick / Math.max(curNimg - tickStartNimg, 1) * 1e3;
      double eta = timeBound(secKimg * Math.max(opts.totalKimg() - curNimg / 1e3, 0), startTime);
      List<String> f = new ArrayList<>();
      f.add(String.format(java.util.Locale.ROOT, "tick %-5d", (long) stats.report0("Progress/tick", curTick)));
      f.add(String.format(java.util.Locale.ROOT, "kimg %-9.1f", stats.report0("Progress/kimg", curNimg / 1e3)));
      f.add(String.format(java.util.Locale.ROOT, "time %-12s", TrainingStats.formatTime(stats.report0("Timing/total_sec", total))));
      f.add(String.format(java.util.Locale.ROOT, "sec/tick %-7.1f", stats.report0("Timing/sec_per_tick", secTick)));
      f.add(String.format(java.util.Locale.ROOT, "sec/kimg %-7.2f", stats.report0("Timing/sec_per_kimg", secKimg)));
      f.add(String.format(java.util.Locale.ROOT, "maintenance %-6.1f", stats.report0("Timing/maintenance_sec", maintenance)));
      f.add(String.format(java.util.Locale.ROOT, "cpumem %-6.2f", stats.report0("Resources/cpu_mem_gb", rssGb())));
      f.add(String.format(java.util.Locale.ROOT, "gpumem %-6.2f", stats.report0("Resources/peak_gpu_mem_gb", deviceMemGb())));
      f.add(String.format(java.util.Locale.ROOT, "kimg/s %-7.3f", secKimg > 0 ? 1 / secKimg : 0));
      f.add(String.format(java.util.Locale.ROOT, "loss %-8.4f", lastLossMean));
      f.add("eta " + TrainingStats.formatTime(eta));
      log.accept(String.join(" ", f));

      Integer snap = opts.snapshotTicks();
      if (snap != null && snapshots != null && (done || curTick % snap == 0)) {
        saveSnapshot();
      }
      Integer dump = opts.stateDumpTicks();
      if (dump != null && (done || curTick % dump == 0) && curTick != 0) {
        saveState();
      }
      appendStats();

      curTick++;
      tickStartNimg = curNimg;
      tickStartTime = System.nanoTime();
      maintenance = (tickStartTime - tickEnd) / 1e9;
      if (done) {
        break;
      }
    }
    join(next);
    if (pool != null) {
      pool.shutdownNow();
    }
    writeDoneMarker();
    log.accept("");
    log.accept("Exiting...");
    return curNimg;
  }

  /** An ETA in seconds, capped by what is left of maxSeconds (when set). */
  private double timeBound(double etaSeconds, long startTime) {
    if (opts.maxSeconds() == null) {
      return etaSeconds;
    }
    return Math.min(etaSeconds, Math.max(0, opts.maxSeconds() - (System.nanoTime() - startTime) / 1e9));
  }

  private CompletableFuture<List<TrainingSet.HostBatch>> prefetch(long start) {
    return CompletableFuture.supplyAsync(() -> {
      List<TrainingSet.HostBatch> out = new ArrayList<>();
      int per = batchGpu;
      for (int r = 0; r < replicas.size(); r++) {
        for (int a = 0; a < rounds; a++) {
          out.add(data.batch(start + (long) (r * rounds + a) * per, per));
        }
      }
      return out;
    });
  }

  private static <T> T join(CompletableFuture<T> f) {
    try {
      return f.join();
    } catch (java.util.concurrent.CompletionException e) {
      Throwable c = e.getCause();
      throw c instanceof RuntimeException ? (RuntimeException) c : new RuntimeException(c);
    }
  }

  /** What one replica hands back after its rounds: loss moments and its flattened gradient. */
  private record ReplicaResult(NDArray moments, NDArray gradient) {}

  private PhaseTimes phaseTimes;

  /** Turns on per-phase timing (with device syncs between phases; benchmarks only). */
  public void setPhaseTimes(PhaseTimes times) {
    this.phaseTimes = times;
  }

  private long phase(String name, long since) {
    long now = System.nanoTime();
    if (phaseTimes != null) {
      phaseTimes.add(name, now - since);
    }
    return now;
  }

  private void syncAll() {
    if (phaseTimes != null) {
      for (Replica rep : replicas) {
        PhaseTimes.sync(rep.manager(), rep.manager().getDevice());
      }
    }
  }

  /** Runs {@code job(r)} for every replica, each on its own thread when there are several. */
  private <T> List<T> onReplicas(java.util.function.IntFunction<T> job) {
    List<T> out = new ArrayList<>();
    if (pool == null) {
      out.add(job.apply(0));
      return out;
    }
    List<Future<T>> jobs = new ArrayList<>();
    for (int r = 0; r < replicas.size(); r++) {
      int rank = r;
      jobs.add(pool.submit(() -> job.apply(rank)));
    }
    for (Future<T> f : jobs) {
      try {
        out.add(f.get());
      } catch (Exception e) {
        Throwable c = e.getCause() != null ? e.getCause() : e;
        throw c instanceof RuntimeException ? (RuntimeException) c : new RuntimeException(c);
      }
    }
    return out;
  }

  /** One optimizer step: accumulate on every replica, reduce, guard, Adam, broadcast, EMA. */
  private void step(long stepIndex, List<TrainingSet.HostBatch> batches, long stepNimg) {
    int world = replicas.size();
    double scale = opts.lossScaling() / (double) (batchGpu * rounds);
    long lockWait0 = SeededRandomSource.lockWaitNanos();
    long t = System.nanoTime();
    // Forward, backward and the flattening of the gradient run on each replica's own thread.
    List<ReplicaResult> results = onReplicas(r -> {
      Replica rep = replicas.get(r);
      long t0 = System.nanoTime();
      NDArray moments = accumulate(rep, stepIndex, batches, scale);
      NDArray flat = Autograd.noGrad(() -> flatGradient(rep));
      if (phaseTimes != null) {
        long t1 = System.nanoTime();
        phaseTimes.add("replica" + r + ".enqueue", t1 - t0);
        PhaseTimes.sync(rep.manager(), rep.manager().getDevice());
        phaseTimes.add("replica" + r + ".done", System.nanoTime() - t0);
      }
      return new ReplicaResult(moments, flat);
    });
    t = phase("accumulate", t);
    if (phaseTimes != null) {
      phaseTimes.add("rng_lock_wait", SeededRandomSource.lockWaitNanos() - lockWait0);
    }
    LinkedHashMap<String, NDArray> p0 = master().net().parameters();

    NDArray flat = Autograd.noGrad(() -> {
      // Average the replicas' gradients onto replica 0 in rank order (DDP's all-reduce mean).
      NDArray g = results.get(0).gradient();
      for (int r = 1; r < world; r++) {
        try (NDArray gr = results.get(r).gradient();
            NDArray moved = gr.toDevice(g.getDevice(), true)) {
          g.addi(moved);
        }
      }
      if (world > 1) {
        HostScalars.divi(g, world);
      }
      return g;
    });
    syncAll();
    t = phase("reduce", t);

    NDArray master0 = Autograd.noGrad(() -> {
      NDArray g = flat;
      if (onGradients != null) {
        List<Shape> shapes = new ArrayList<>();
        p0.values().forEach(p -> shapes.add(p.getShape()));
        List<NDArray> views = Adam.unflatten(g, shapes);
        Map<String, NDArray> named = new LinkedHashMap<>();
        int i = 0;
        for (String k : p0.keySet()) {
          named.put(k, views.get(i++));
        }
        onGradients.accept(named);
        Adam.close(views);
      }
      NDArray guarded = Tensors.nanToNum(g);
      g.close();
      double lr = opts.lr() * Math.min(stepNimg / Math.max(opts.lrRampupKimg() * 1000, 1e-8), 1);
      adam.update(p0, guarded, lr);
      guarded.close();
      return world > 1 ? Adam.flatten(new ArrayList<>(p0.values())) : null;
    });
    syncAll();
    t = phase("adam", t);

    // Broadcast the updated weights: every replica copies them in (and clears its gradients) on
    // its own thread, so the per-parameter launches of the replicas overlap.
    List<Shape> shapes = new ArrayList<>();
    p0.values().forEach(p -> shapes.add(p.getShape()));
    onReplicas(r -> Autograd.noGrad(() -> {
      Replica rep = replicas.get(r);
      if (r > 0) {
        try (NDArray moved = master0.toDevice(rep.manager().getDevice(), true)) {
          List<NDArray> views = Adam.unflatten(moved, shapes);
          int i = 0;
          for (NDArray p : rep.net().parameters().values()) {
            Tensors.assign(p, views.get(i++));
          }
          Adam.close(views);
        }
      }
      for (NDArray p : rep.net().parameters().values()) {
        Autograd.zeroGrad(p);
      }
      rep.net().parametersUpdated();
      return null;
    }));
    if (master0 != null) {
      master0.close();
    }
    syncAll();
    t = phase("broadcast", t);

    Autograd.noGrad(() -> {
      Ema.update(ema.parameters(), p0, emaSchedule.beta(stepNimg, opts.batchSize()));
      ema.parametersUpdated();
      // Loss statistics stay on the device until the tick reads them (no sync per step).
      NDArray total = results.get(0).moments();
      for (int r = 1; r < world; r++) {
        try (NDArray moved = results.get(r).moments().toDevice(total.getDevice(), true)) {
          total.addi(moved);
        }
        results.get(r).moments().close();
      }
      if (lossMoments == null) {
        lossMoments = total;
      } else {
        lossMoments.addi(total);
        total.close();
      }
      return null;
    });
    syncAll();
    phase("ema", t);
    if (phaseTimes != null) {
      phaseTimes.stepDone();
    }
  }

  /** Called after every optimizer step with the number of steps this run has made (benchmarks). */
  public void setStepListener(java.util.function.LongConsumer listener) {
    this.stepListener = listener;
  }

  private java.util.function.LongConsumer stepListener = s -> {};

  private NDArray lossMoments; // float64 [count, sum, sum of squares] since the last tick

  /** Reads the accumulated loss statistics into the stats collector (a device sync, once per tick). */
  private void drainLoss() {
    if (lossMoments != null) {
      double[] m = lossMoments.toDoubleArray();
      stats.report("Loss/loss", m[0], m[1], m[2]);
      lastLossMean = m[1] / m[0];
      lossMoments.close();
      lossMoments = null;
    }
  }

  private static NDArray flatGradient(Replica rep) {
    List<NDArray> grads = new ArrayList<>();
    for (NDArray p : rep.net().parameters().values()) {
      grads.add(p.getGradient());
    }
    NDArray flat = Adam.flatten(grads);
    for (NDArray gr : grads) {
      gr.close();
    }
    return flat;
  }

  /**
   * Where a replica's dropout masks come from: with one replica the engine generator (DJL's fused
   * dropout, seeded just before by {@code seedEngine}); with several, the replica's own stream, each
   * mask drawn under the engine lock, since another replica's reseeding (torch's manual_seed reseeds
   * every device) could land in the middle of this replica's forward.
   */
  static DropoutStream.Uniform replicaDropout(int world, SeededRandomSource random) {
    return world > 1 ? (m, shape) -> random.rand(m, shape, DataType.FLOAT32) : null;
  }

  /** Forward and backward of every accumulation round on one replica; returns its loss moments. */
  private NDArray accumulate(Replica rep, long stepIndex, List<TrainingSet.HostBatch> batches, double scale) {
    NDArray moments = rep.manager().zeros(new Shape(3), DataType.FLOAT64);
    for (int a = 0; a < rounds; a++) {
      try (NDManager sub = rep.manager().newSubManager()) {
        NDArray[] xy = batches.get(rep.rank() * rounds + a).toDevice(sub);
        SeededRandomSource random =
            new SeededRandomSource(opts.seed(), SeededRandomSource.streamOf(stepIndex, rep.rank(), a));
        random.seedEngine(); // one replica: dropout inside the network draws from the engine generator
        DropoutStream.with(replicaDropout(replicas.size(), random), () -> Autograd.withGrad(() -> {
          NDArray l = loss.compute(rep.net(), xy[0], xy[1], augment, random);
          NDArray sum = l.sum();
          Autograd.backward(HostScalars.mul(sum, scale));
          Autograd.noGrad(() -> {
            NDArray l64 = l.toType(DataType.FLOAT64, false);
            NDArray total = l64.sum();
            NDArray m = NDArrays.stack(new NDList(
                HostScalars.muli(total.onesLike(), l.size()), total, l64.square().sum())); // no host upload: no sync
            moments.addi(m);
            return null;
          });
          return null;
        }));
      }
    }
    return moments;
  }

  /**
   * The reference's {@code <prefix>-<kimg:06d>} name, or with {@code decimalKimgNames} the kimg
   * to three decimals ({@code network-snapshot-000000.250}).
   */
  private String kimgName(String prefix, String ext) {
    if (opts.decimalKimgNames()) {
      return String.format(java.util.Locale.ROOT, "%s-%010.3f%s", prefix, curNimg / 1000.0, ext);
    }
    return String.format(java.util.Locale.ROOT, "%s-%06d%s", prefix, curNimg / 1000, ext);
  }

  private void saveSnapshot() throws IOException {
    Path path = opts.runDir().resolve(kimgName("network-snapshot", snapshotExtension));
    Path part = path.resolveSibling(path.getFileName() + ".part");
    snapshots.write(part, ema);
    Files.move(part, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** The state after this tick: the next tick to run is curTick + 1. */
  private void saveState() throws IOException {
    Path path = opts.runDir().resolve(kimgName("training-state", ".safetensors"));
    Map<String, NDArray> m = adam.expAvg();
    Map<String, NDArray> v = adam.expAvgSq();
    new TrainingState(curNimg, curTick + 1, adam.step(), opts.seed(), master().net().parameters(),
        ema.parameters(), m, v).save(path);
    Adam.close(new ArrayList<>(m.values()));
    Adam.close(new ArrayList<>(v.values()));
  }

  private void writeDoneMarker() throws IOException {
    Path path = opts.runDir().resolve(DONE_MARKER);
    Path part = path.resolveSibling(path.getFileName() + ".part");
    JsonObject o = new JsonObject();
    o.addProperty("nimg", curNimg);
    o.addProperty("timestamp", System.currentTimeMillis() / 1000.0);
    Files.writeString(part, o + "\n", StandardCharsets.UTF_8);
    Files.move(part, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private void appendStats() throws IOException {
    JsonObject o = stats.drain();
    o.addProperty("timestamp", System.currentTimeMillis() / 1000.0);
    Files.writeString(opts.runDir().resolve("stats.jsonl"), o + "\n", StandardCharsets.UTF_8,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  private static double rssGb() {
    try {
      String[] statm = Files.readString(Path.of("/proc/self/statm")).trim().split("\\s+");
      return Long.parseLong(statm[1]) * 4096.0 / (1L << 30);
    } catch (IOException | RuntimeException e) {
      return Runtime.getRuntime().totalMemory() / (double) (1L << 30);
    }
  }

  private double deviceMemGb() {
    Device d = master().manager().getDevice();
    if (!d.isGpu()) {
      return 0;
    }
    try {
      return CudaUtils.getGpuMemory(d).getCommitted() / (double) (1L << 30);
    } catch (RuntimeException e) {
      return 0;
    }
  }

  /** A log sink that prints to {@code out} and appends to {@code file} (the reference's Logger). */
  public static Consumer<String> tee(PrintStream out, Path file) {
    return line -> {
      out.println(line);
      if (file != null) {
        try {
          Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };
  }
}

package dev.cdm.model.training;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.cdm.model.augment.Augmentation;
import dev.cdm.model.loss.Loss;
import dev.cdm.model.loss.SeededRandomSource;
import dev.cdm.model.nn.DropoutStream;
import dev.cdm.model.nn.HostScalars;
import dev.cdm.model.torch.Autograd;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * Data parallelism as the reference's DDP does it: one replica per device (each with its own copy
 * of the network and, when there are several, its own thread), the batch split into {@code
 * batch_gpu} slices per replica and accumulation round, gradients of {@code loss.sum() *
 * loss_scaling / batch_gpu_total} accumulated over the rounds, averaged onto replica 0 in rank
 * order (the all-reduce mean), and replica 0's updated weights copied back to the others.
 *
 * <p>Every random draw of replica r in round a of step k comes from a {@link SeededRandomSource}
 * keyed by (seed, k, r, a), and the images of a step are fixed positions of the dataset's seeded
 * stream, so a step's gradients do not depend on thread timing.
 */
final class Replicas implements AutoCloseable {
  /** One data-parallel replica: a device, a manager on it, and a copy of the network. */
  record Replica(int rank, NDManager manager, TrainableNetwork net) {}

  /** What one replica hands back after its rounds: loss moments and its flattened gradient. */
  record Result(NDArray moments, NDArray gradient) {}

  private final List<Replica> replicas = new ArrayList<>();
  private final List<FlatParameters> flats = new ArrayList<>();
  private final ExecutorService pool;
  private final int batchGpu;
  private final int rounds;

  /**
   * Splits {@code batchSize} like the reference (batch_gpu per device, accumulation rounds) and
   * makes the replicas: replica 0 initialised from {@code seed}, the others to be overwritten with
   * its weights.
   */
  Replicas(
      List<Device> devices,
      NDManager root,
      NetworkFactory factory,
      int batchSize,
      Integer batchGpuLimit,
      long seed) {
    int world = devices.size();
    int batchGpuTotal = batchSize / world;
    int bg = batchGpuLimit == null || batchGpuLimit > batchGpuTotal ? batchGpuTotal : batchGpuLimit;
    this.batchGpu = bg;
    this.rounds = batchGpuTotal / bg;
    if (batchSize != bg * rounds * world) {
      throw new IllegalArgumentException(
          "--batch="
              + batchSize
              + " must equal --batch-gpu="
              + bg
              + " x accumulation rounds x "
              + world
              + " devices");
    }
    Engine.getInstance().setRandomSeed((int) (SeededRandomSource.streamOf(-1, 0, 0) ^ seed));
    for (int r = 0; r < world; r++) {
      NDManager m = root.newSubManager(devices.get(r));
      replicas.add(new Replica(r, m, factory.create(m)));
    }
    this.pool =
        world > 1
            ? Executors.newFixedThreadPool(
                world,
                r -> {
                  Thread t = new Thread(r, "cdm-replica");
                  t.setDaemon(true);
                  return t;
                })
            : null;
  }

  int size() {
    return replicas.size();
  }

  Replica get(int rank) {
    return replicas.get(rank);
  }

  /**
   * Links every replica's parameters to a flat buffer of its own ({@link FlatParameters}), as
   * leaves that require gradients; call once their weights are in place.
   */
  void linkFlatParameters() {
    for (Replica rep : replicas) {
      flats.add(FlatParameters.link(rep.net(), true));
    }
  }

  /** Replica 0's flat parameters (after {@link #linkFlatParameters}). */
  FlatParameters masterFlat() {
    return flats.get(0);
  }

  /** Replica 0: its weights are the ones Adam updates and the others copy. */
  Replica master() {
    return replicas.get(0);
  }

  List<Replica> all() {
    return replicas;
  }

  int batchGpu() {
    return batchGpu;
  }

  int rounds() {
    return rounds;
  }

  /**
   * The host batches of the step starting at image {@code start}, in (replica, round) order, read
   * off-thread.
   */
  CompletableFuture<List<TrainingSet.HostBatch>> prefetch(BatchSource data, long start) {
    return CompletableFuture.supplyAsync(
        () -> {
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

  /** Runs {@code job(r)} for every replica, each on its own thread when there are several. */
  <T> List<T> onEach(IntFunction<T> job) {
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

  /**
   * Where a replica's dropout masks come from: with one replica the engine generator (DJL's fused
   * dropout, seeded just before by {@code seedEngine}); with several, the replica's own stream,
   * each mask drawn under the engine lock, since another replica's reseeding (torch's manual_seed
   * reseeds every device) could land in the middle of this replica's forward.
   */
  static DropoutStream.Uniform replicaDropout(int world, SeededRandomSource random) {
    return world > 1 ? (m, shape) -> random.rand(m, shape, DataType.FLOAT32) : null;
  }

  /**
   * Forward and backward of every accumulation round on one replica (gradients accumulate in the
   * parameters' {@code .grad}); returns its loss moments, float64 [count, sum, sum of squares].
   */
  NDArray accumulate(
      Replica rep,
      long stepIndex,
      List<TrainingSet.HostBatch> batches,
      double scale,
      Loss loss,
      Augmentation augment,
      long seed) {
    NDArray moments = rep.manager().zeros(new Shape(3), DataType.FLOAT64);
    for (int a = 0; a < rounds; a++) {
      try (NDManager sub = rep.manager().newSubManager()) {
        NDArray[] xy = batches.get(rep.rank() * rounds + a).toDevice(sub);
        SeededRandomSource random =
            new SeededRandomSource(seed, SeededRandomSource.streamOf(stepIndex, rep.rank(), a));
        random.seedEngine(); // one replica: dropout inside the network draws from the engine
        // generator
        DropoutStream.with(
            replicaDropout(replicas.size(), random),
            () ->
                Autograd.withGrad(
                    () -> {
                      NDArray l = loss.compute(rep.net(), xy[0], xy[1], augment, random);
                      NDArray sum = l.sum();
                      Autograd.backward(HostScalars.mul(sum, scale));
                      Autograd.noGrad(
                          () -> {
                            NDArray l64 = l.toType(DataType.FLOAT64, false);
                            NDArray total = l64.sum();
                            NDArray m =
                                NDArrays.stack(
                                    new NDList(
                                        HostScalars.muli(total.onesLike(), l.size()),
                                        total,
                                        l64.square().sum())); // no host upload: no sync
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
   * The replica's gradient as one array in parameter order; its gradients are reset for the next
   * step ({@link FlatParameters#takeGradient}).
   */
  NDArray flatGradient(Replica rep) {
    return flats.get(rep.rank()).takeGradient();
  }

  /** Averages the replicas' gradients onto replica 0's in rank order (DDP's all-reduce mean). */
  static NDArray averageGradients(List<Result> results) {
    return Autograd.noGrad(
        () -> {
          int world = results.size();
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
  }

  /**
   * Copies replica 0's updated weights into the others (one copy of the flat buffer each; the
   * gradients were reset when they were taken); each replica does so on its own thread.
   */
  void broadcast() {
    NDArray flatMaster = replicas.size() > 1 ? masterFlat().flat() : null;
    onEach(
        r ->
            Autograd.noGrad(
                () -> {
                  Replica rep = replicas.get(r);
                  if (r > 0) {
                    Tensors.assign(flats.get(r).flat(), flatMaster);
                  }
                  rep.net().parametersUpdated();
                  return null;
                }));
  }

  /** The replicas' loss moments summed onto replica 0's device (the others' are closed). */
  static NDArray sumMoments(List<Result> results) {
    NDArray total = results.get(0).moments();
    for (int r = 1; r < results.size(); r++) {
      try (NDArray moved = results.get(r).moments().toDevice(total.getDevice(), true)) {
        total.addi(moved);
      }
      results.get(r).moments().close();
    }
    return total;
  }

  @Override
  public void close() {
    if (pool != null) {
      pool.shutdownNow();
    }
  }
}

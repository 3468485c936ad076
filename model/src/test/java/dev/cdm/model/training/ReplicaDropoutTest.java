package dev.cdm.model.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.cdm.model.loss.SeededRandomSource;
import dev.cdm.model.nn.DropoutStream;
import dev.cdm.model.precond.Precision;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Data-parallel replicas with dropout: what {@link TrainingLoop#accumulate} does on each replica
 * thread (seed the engine from the replica's stream, then run the network in training mode with the
 * replica's {@link DropoutStream}) must give the same dropout and label-dropout masks however the
 * threads interleave, and while other replicas reseed the engine (torch's manual_seed reseeds every
 * device's generator). Before the fix the masks came from the engine generator outside the engine
 * lock, and another replica's {@code seedEngine} between this replica's seeding and its masks
 * changed them.
 */
class ReplicaDropoutTest {
  static final int REPLICAS = 2;
  static final int ROUNDS = 4;

  @Test
  void replicaForwardsRepeatBitForBitWhileTheEngineIsReseeded() throws Exception {
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      Map<String, Object> kw =
          PrecondNetworks.networkKwargs("ddpmpp", 8, List.of(1, 2), 0.5, false, false);
      kw.put("num_blocks", 1);
      kw.put("attn_resolutions", List.of());
      kw.put("label_dropout", 0.5);
      NetworkFactory factory = PrecondNetworks.factory("EDMPrecond", kw, 16, 1, 10, Precision.FP32);
      Engine.getInstance().setRandomSeed(3);
      List<TrainableNetwork> nets = new ArrayList<>();
      for (int r = 0; r < REPLICAS; r++) {
        TrainableNetwork net = factory.create(m);
        net.setTraining(true);
        // Random weights (the output layer starts near zero, which would hide the masks' effect).
        for (NDArray p : net.parameters().values()) {
          p.muli(0).addi(m.randomNormal(p.getShape()).muli(0.3f));
        }
        net.parametersUpdated();
        nets.add(net);
      }
      NDArray x = m.randomNormal(new Shape(4, 1, 16, 16));
      NDArray sigma = m.create(new float[] {0.5f, 1f, 2f, 4f});
      NDArray labels = m.eye(10).get("0:4");

      // Reference: each replica's rounds, one after the other on this thread.
      float[][][] expected = new float[REPLICAS][ROUNDS][];
      for (int r = 0; r < REPLICAS; r++) {
        for (int a = 0; a < ROUNDS; a++) {
          expected[r][a] = forward(nets.get(r), r, a, x, sigma, labels);
        }
      }
      // Dropout is active (not a vacuous comparison): different streams give different outputs.
      assertTrue(
          maxAbsDiff(expected[0][0], expected[1][0]) > 1e-2, "replicas draw different masks");
      assertTrue(maxAbsDiff(expected[0][0], expected[0][1]) > 1e-2, "rounds draw different masks");

      // Concurrent: one thread per replica, while another thread keeps reseeding the engine.
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong reseeds = new AtomicLong();
      Thread reseeder =
          new Thread(
              () -> {
                while (!stop.get()) {
                  new SeededRandomSource(99, reseeds.incrementAndGet()).seedEngine();
                }
              },
              "reseeder");
      reseeder.setDaemon(true);
      ExecutorService pool = Executors.newFixedThreadPool(REPLICAS);
      reseeder.start();
      try {
        List<Future<float[][]>> jobs = new ArrayList<>();
        for (int r = 0; r < REPLICAS; r++) {
          int rank = r;
          jobs.add(
              pool.submit(
                  () -> {
                    float[][] out = new float[ROUNDS][];
                    for (int a = 0; a < ROUNDS; a++) {
                      out[a] = forward(nets.get(rank), rank, a, x, sigma, labels);
                    }
                    return out;
                  }));
        }
        for (int r = 0; r < REPLICAS; r++) {
          float[][] got = jobs.get(r).get();
          for (int a = 0; a < ROUNDS; a++) {
            assertArrayEquals(expected[r][a], got[a], 0f, "replica " + r + " round " + a);
          }
        }
      } finally {
        stop.set(true);
        reseeder.join();
        pool.shutdownNow();
      }
      assertTrue(
          reseeds.get() > REPLICAS * ROUNDS, "the engine was reseeded meanwhile: " + reseeds.get());
    }
  }

  /** One loss evaluation's network call as the training loop makes it with several replicas. */
  static float[] forward(
      TrainableNetwork net, int rank, int round, NDArray x, NDArray sigma, NDArray labels) {
    try (NDManager sub = x.getManager().newSubManager()) {
      SeededRandomSource random =
          new SeededRandomSource(7, SeededRandomSource.streamOf(0, rank, round));
      random.seedEngine();
      // The replica's own copies, as the loop's batch on the replica's sub-manager.
      NDArray xs = own(x, sub);
      NDArray ss = own(sigma, sub);
      NDArray ls = own(labels, sub);
      return DropoutStream.with(
          Replicas.replicaDropout(REPLICAS, random),
          () -> net.denoise(xs, ss, ls, null).toFloatArray());
    }
  }

  static double maxAbsDiff(float[] a, float[] b) {
    double d = 0;
    for (int i = 0; i < a.length; i++) {
      d = Math.max(d, Math.abs(a[i] - b[i]));
    }
    return d;
  }

  static NDArray own(NDArray a, NDManager m) {
    NDArray c = a.duplicate();
    c.attach(m);
    return c;
  }
}

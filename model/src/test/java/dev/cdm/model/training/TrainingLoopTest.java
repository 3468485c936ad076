package dev.cdm.model.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.cdm.model.augment.AugmentPipe;
import dev.cdm.model.data.ImageArchive;
import dev.cdm.model.io.NetworkLoader;
import dev.cdm.model.loss.EDMLoss;
import dev.cdm.model.loss.Loss;
import dev.cdm.model.loss.MartingaleLoss;
import dev.cdm.model.precond.Precision;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingLoopTest {
  @TempDir Path tmp;

  static Path mnist() throws Exception {
    return Path.of(
        TrainingLoopTest.class.getResource("/datasets/dataset-mnist-max500.zip").toURI());
  }

  /** A very small DDPM++-style EDM network on 28x28 grayscale. */
  static NetworkFactory tinyFactory(TrainingSet data, boolean augment) {
    Map<String, Object> kw =
        PrecondNetworks.networkKwargs("ddpmpp", 8, List.of(1, 2), 0.0, false, augment);
    kw.put("num_blocks", 1);
    kw.put("attn_resolutions", List.of());
    return PrecondNetworks.factory(
        "EDMPrecond", kw, data.resolution(), data.channels(), data.labelDim(), Precision.FP32);
  }

  static TrainingOptions.Builder opts(Path dir) {
    return TrainingOptions.builder()
        .runDir(dir)
        .seed(7)
        .batchSize(8)
        .emaHalflifeKimg(0.05)
        .lr(2e-3)
        .lrRampupKimg(0)
        .kimgPerTick(0.008)
        .snapshotTicks(1000)
        .stateDumpTicks(1000);
  }

  TrainingLoop loop(
      TrainingOptions o,
      TrainingSet data,
      Loss loss,
      List<Device> devices,
      NDManager m,
      TrainingState resume,
      List<String> lines)
      throws IOException {
    return loop(o, data, loss, devices, m, resume, lines, StepListener.NONE);
  }

  TrainingLoop loop(
      TrainingOptions o,
      TrainingSet data,
      Loss loss,
      List<Device> devices,
      NDManager m,
      TrainingState resume,
      List<String> lines,
      StepListener listener)
      throws IOException {
    Files.createDirectories(o.runDir());
    return TrainingLoop.builder()
        .setOptions(o)
        .setData(data)
        .setNetworkFactory(tinyFactory(data, false))
        .setLoss(loss)
        .setDevices(devices)
        .setRoot(m)
        .setResume(resume)
        .setSnapshotWriter(
            (p, ema) -> NetworkLoader.save(PrecondNetworks.precond(ema), p, Map.of()))
        .setLog(lines::add)
        .setStepListener(listener)
        .build();
  }

  static Map<String, float[]> snapshot(Map<String, NDArray> params) {
    Map<String, float[]> out = new LinkedHashMap<>();
    params.forEach((k, v) -> out.put(k, v.toFloatArray()));
    return out;
  }

  /**
   * Training on the CPU is a function of its options: two identical runs end with identical
   * weights. The tiny network's decoder concatenates 16 + 8 = 24 channels, the shape on which the
   * Maven libtorch's oneDNN kernels gave batch-dependent results and NaN gradients on AMD
   * processors reporting AVX-512 (see EngineDefaults); this failed there without the cap.
   */
  @Test
  void twoIdenticalRunsGiveIdenticalWeights() throws Exception {
    try (NDManager m = NDManager.newBaseManager(Device.cpu());
        TrainingSet data = new TrainingSet(ImageArchive.open(mnist()), false, false, true, 1, 7)) {
      List<Map<String, float[]>> weights = new ArrayList<>();
      for (String run : List.of("one", "two")) {
        TrainingLoop l =
            loop(
                opts(tmp.resolve(run)).totalKimg(0.032).build(),
                data,
                new MartingaleLoss(10, 2),
                List.of(Device.cpu()),
                m,
                null,
                new ArrayList<>());
        l.run();
        weights.add(snapshot(l.parameters()));
      }
      assertEquals(weights.get(0).keySet(), weights.get(1).keySet());
      for (String k : weights.get(0).keySet()) {
        float[] w = weights.get(0).get(k);
        for (float v : w) {
          assertTrue(Float.isFinite(v), k + " has a non-finite weight");
        }
        assertArrayEquals(w, weights.get(1).get(k), k);
      }
    }
  }

  @Test
  void resumeContinuesBitForBit() throws Exception {
    try (NDManager m = NDManager.newBaseManager(Device.cpu());
        TrainingSet data = new TrainingSet(ImageArchive.open(mnist()), false, false, true, 1, 7)) {
      List<Device> cpu = List.of(Device.cpu());
      List<String> lines = new ArrayList<>();
      // Uninterrupted: 4 steps of 8 images.
      TrainingOptions full = opts(tmp.resolve("full")).totalKimg(0.032).build();
      TrainingLoop a = loop(full, data, new EDMLoss(), cpu, m, null, lines);
      a.run();
      Map<String, float[]> wa = snapshot(a.parameters());
      Map<String, float[]> ea = snapshot(a.ema().parameters());

      // Interrupted after 2 steps, then resumed from the state dump.
      TrainingOptions first = opts(tmp.resolve("part")).totalKimg(0.032).maxSteps(2L).build();
      loop(first, data, new EDMLoss(), cpu, m, null, lines).run();
      Path state = tmp.resolve("part/training-state-000000.safetensors");
      assertTrue(Files.isRegularFile(state), "state dump written");
      assertTrue(Files.isRegularFile(tmp.resolve("part/network-snapshot-000000.safetensors")));
      TrainingState st = TrainingState.load(state, m);
      assertEquals(16, st.curNimg());
      // The end marker: written when a run ends, rewritten by the resumed run when it ends.
      Path done = tmp.resolve("part/" + TrainingLoop.DONE_MARKER);
      assertTrue(Files.readString(done).contains("\"nimg\":16"), Files.readString(done));
      TrainingOptions rest = opts(tmp.resolve("part")).totalKimg(0.032).build();
      TrainingLoop c = loop(rest, data, new EDMLoss(), cpu, m, st, lines);
      c.run();
      assertEquals(32, c.curNimg());
      assertTrue(Files.readString(done).contains("\"nimg\":32"), Files.readString(done));
      Map<String, float[]> wc = snapshot(c.parameters());
      Map<String, float[]> ec = snapshot(c.ema().parameters());
      for (String k : wa.keySet()) {
        assertArrayEquals(wa.get(k), wc.get(k), 0f, "weights of " + k);
        assertArrayEquals(ea.get(k), ec.get(k), 0f, "EMA of " + k);
      }
      // The weights moved at all (not a vacuous comparison).
      TrainingLoop fresh =
          loop(
              opts(tmp.resolve("fresh")).totalKimg(0.008).maxSteps(1L).build(),
              data,
              new EDMLoss(),
              cpu,
              m,
              null,
              lines);
      String some = wa.keySet().iterator().next();
      float[] init = fresh.parameters().get(some).toFloatArray();
      boolean moved = false;
      for (int i = 0; i < init.length; i++) {
        moved |= init[i] != wa.get(some)[i];
      }
      assertTrue(moved, "training changed " + some);
      String stats = Files.readString(tmp.resolve("full/stats.jsonl"));
      assertTrue(stats.contains("\"Loss/loss\"") && stats.contains("\"Progress/kimg\""), stats);
      assertEquals(4, stats.lines().count(), "one stats line per tick");
    }
  }

  /**
   * The {@link ArtefactListener} hears of each file once it is complete under its final name, in
   * the order a publisher relies on: per tick the snapshot, the state, then the tick (its stats
   * line written); the done marker last.
   */
  @Test
  void artefactListenerHearsEachFinishedFileInOrder() throws Exception {
    try (NDManager m = NDManager.newBaseManager(Device.cpu());
        TrainingSet data = new TrainingSet(ImageArchive.open(mnist()), false, false, true, 1, 7)) {
      Path dir = tmp.resolve("heard");
      List<String> events = new ArrayList<>();
      ArtefactListener listener =
          new ArtefactListener() {
            @Override
            public void fileCompleted(Path file) {
              assertTrue(Files.isRegularFile(file), file + " announced before it exists");
              events.add(file.getFileName().toString());
            }

            @Override
            public void tickEnded(long tick) throws IOException {
              assertEquals(tick + 1, Files.readAllLines(dir.resolve("stats.jsonl")).size());
              events.add("tick " + tick);
            }
          };
      TrainingOptions o = opts(dir).totalKimg(0.016).snapshotTicks(1).stateDumpTicks(1).build();
      Files.createDirectories(dir);
      TrainingLoop.builder()
          .setOptions(o)
          .setData(data)
          .setNetworkFactory(tinyFactory(data, false))
          .setLoss(new EDMLoss())
          .setDevices(List.of(Device.cpu()))
          .setRoot(m)
          .setSnapshotWriter(
              (p, ema) -> NetworkLoader.save(PrecondNetworks.precond(ema), p, Map.of()))
          .setArtefactListener(listener)
          .build()
          .run();
      assertEquals(
          List.of(
              "network-snapshot-000000.safetensors",
              "tick 0",
              "network-snapshot-000000.safetensors",
              "training-state-000000.safetensors",
              "tick 1",
              TrainingLoop.DONE_MARKER),
          events);
    }
  }

  @Test
  void stepsDoNotAccumulateArrays() throws Exception {
    try (NDManager m = NDManager.newBaseManager(Device.cpu());
        TrainingSet data = new TrainingSet(ImageArchive.open(mnist()), false, false, true, 1, 7)) {
      List<String> lines = new ArrayList<>();
      TrainingOptions o =
          opts(tmp.resolve("leak"))
              .totalKimg(1)
              .maxSteps(6L)
              .kimgPerTick(1)
              .snapshotTicks(null)
              .stateDumpTicks(null)
              .build();
      Files.createDirectories(o.runDir());
      int[] counts = new int[7];
      TrainingLoop t =
          TrainingLoop.builder()
              .setOptions(o)
              .setData(data)
              .setNetworkFactory(tinyFactory(data, true))
              .setLoss(new MartingaleLoss(10, 3))
              .setAugmentation(AugmentPipe.training(0.5))
              .setDevices(List.of(Device.cpu(), Device.cpu()))
              .setRoot(m)
              .setLog(lines::add)
              .setStepListener(
                  StepListener.afterEachStep(n -> counts[(int) n] = m.getManagedArrays().size()))
              .build();
      t.run();
      assertTrue(counts[3] > 100, "the count sees the networks' arrays: " + counts[3]);
      assertEquals(
          counts[3],
          counts[6],
          "arrays alive after step 3 and after step 6: " + java.util.Arrays.toString(counts));
    }
  }

  /** A loss without random draws, so that different batch splits must agree. */
  static final Loss DETERMINISTIC =
      (net, images, labels, augment, random) -> {
        NDArray sigma =
            images.getManager().ones(new ai.djl.ndarray.types.Shape(images.getShape().get(0)));
        NDArray d = net.denoise(images.mul(0.5).add(images.flip(3).mul(0.3)), sigma, null, null);
        return d.sub(images).square();
      };

  /** Gradients of the first step, after the reduction over replicas and rounds. */
  static Map<String, float[]> firstGradients(TrainingLoop loop) throws IOException {
    Map<String, float[]> out = new LinkedHashMap<>();
    loop.onGradients(
        g -> {
          if (out.isEmpty()) {
            g.forEach((k, v) -> out.put(k, v.toFloatArray()));
          }
        });
    loop.run();
    return out;
  }

  static void assertClose(Map<String, float[]> a, Map<String, float[]> b, String what) {
    for (String k : a.keySet()) {
      float[] x = a.get(k);
      float[] y = b.get(k);
      double scale = 0;
      for (float v : x) {
        scale = Math.max(scale, Math.abs(v));
      }
      for (int i = 0; i < x.length; i++) {
        assertTrue(
            Float.isFinite(x[i]) && Float.isFinite(y[i]),
            what + ": non-finite gradient of " + k + "[" + i + "] " + x[i] + " " + y[i]);
        assertEquals(x[i], y[i], 1e-4 * scale + 1e-9, what + ": gradient of " + k + "[" + i + "]");
      }
    }
  }

  @Test
  void twoReplicasAndAccumulationMatchOneBigBatch() throws Exception {
    try (NDManager m = NDManager.newBaseManager(Device.cpu());
        TrainingSet data = new TrainingSet(ImageArchive.open(mnist()), false, false, true, 1, 7)) {
      List<String> lines = new ArrayList<>();
      TrainingOptions.Builder b =
          opts(tmp.resolve("x")).totalKimg(0.008).snapshotTicks(null).stateDumpTicks(null);
      TrainingLoop one =
          loop(
              b.runDir(tmp.resolve("one")).build(),
              data,
              DETERMINISTIC,
              List.of(Device.cpu()),
              m,
              null,
              lines);
      Map<String, float[]> g1 = firstGradients(one);
      TrainingLoop two =
          loop(
              b.runDir(tmp.resolve("two")).batchGpu(4).build(),
              data,
              DETERMINISTIC,
              List.of(Device.cpu(), Device.cpu()),
              m,
              null,
              lines);
      assertEquals(4, two.batchGpu());
      assertEquals(1, two.accumulationRounds());
      assertClose(g1, firstGradients(two), "2 replicas x 4 vs 1 x 8");
      TrainingLoop acc =
          loop(
              b.runDir(tmp.resolve("acc")).batchGpu(2).build(),
              data,
              DETERMINISTIC,
              List.of(Device.cpu()),
              m,
              null,
              lines);
      assertEquals(4, acc.accumulationRounds());
      assertClose(g1, firstGradients(acc), "4 rounds x 2 vs 1 x 8");
      double norm =
          g1.values().stream()
              .flatMapToDouble(
                  v -> {
                    double[] d = new double[v.length];
                    for (int i = 0; i < v.length; i++) {
                      d[i] = Math.abs(v[i]);
                    }
                    return java.util.Arrays.stream(d);
                  })
              .sum();
      assertTrue(norm > 0, "non-zero gradients");
      // After the (identical) update, the replicas hold the same weights.
      for (String k : two.parameters().keySet()) {
        assertEquals(two.parameters().get(k).getShape(), one.parameters().get(k).getShape());
      }
    }
  }

  /** Gradients of the last step (after the reduction over replicas). */
  static Map<String, float[]> lastGradients(TrainingLoop loop) throws IOException {
    Map<String, float[]> out = new LinkedHashMap<>();
    loop.onGradients(g -> g.forEach((k, v) -> out.put(k, v.toFloatArray())));
    loop.run();
    return out;
  }

  /**
   * Over several steps the replicas must keep identical weights (the broadcast after Adam), so the
   * third step's reduced gradient still equals the single-device one; a step listener that syncs
   * the devices at every event (as the benchmarks' phase timing does) must not change what is
   * computed, and sees every phase of both replicas, in order.
   */
  @Test
  void replicasStayInStepAcrossStepsWithAStepListener() throws Exception {
    try (NDManager m = NDManager.newBaseManager(Device.cpu());
        TrainingSet data = new TrainingSet(ImageArchive.open(mnist()), false, false, true, 1, 7)) {
      List<String> lines = new ArrayList<>();
      TrainingOptions.Builder b =
          opts(tmp.resolve("x"))
              .totalKimg(0.024)
              .kimgPerTick(1)
              .snapshotTicks(null)
              .stateDumpTicks(null);
      TrainingLoop one =
          loop(
              b.runDir(tmp.resolve("one3")).build(),
              data,
              DETERMINISTIC,
              List.of(Device.cpu()),
              m,
              null,
              lines);
      Map<String, float[]> g1 = lastGradients(one);
      List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
      StepListener recorder =
          new StepListener() {
            void record(String event) {
              m.zeros(new ai.djl.ndarray.types.Shape(1)).toFloatArray(); // a device sync
              events.add(event);
            }

            @Override
            public void stepStarted() {
              record("start");
            }

            @Override
            public void replicaStarted(int replica) {
              record("replica" + replica + ".start");
            }

            @Override
            public void replicaQueued(int replica) {
              record("replica" + replica + ".queued");
            }

            @Override
            public void phaseQueued(String phase) {
              record(phase);
            }

            @Override
            public void stepDone(long steps) {
              record("done " + steps);
            }
          };
      TrainingLoop two =
          loop(
              b.runDir(tmp.resolve("two3")).batchGpu(4).build(),
              data,
              DETERMINISTIC,
              List.of(Device.cpu(), Device.cpu()),
              m,
              null,
              lines,
              recorder);
      assertClose(g1, lastGradients(two), "step 3: 2 replicas x 4 vs 1 x 8");
      // Adam divides by sqrt(v): rounding-level gradient differences move a weight by a fraction of
      // lr, so the weights are compared on the scale of one step (lr = 2e-3), not their own.
      Map<String, float[]> w1 = snapshot(one.parameters());
      Map<String, float[]> w2 = snapshot(two.parameters());
      for (String k : w1.keySet()) {
        for (int i = 0; i < w1.get(k).length; i++) {
          assertEquals(
              w1.get(k)[i], w2.get(k)[i], 2e-5, "weights after 3 steps: " + k + "[" + i + "]");
        }
      }
      assertEquals(3 * 11, events.size(), events.toString());
      for (int step = 0; step < 3; step++) {
        List<String> e = events.subList(step * 11, step * 11 + 11);
        assertEquals("start", e.get(0));
        // The two replicas' threads interleave; each starts before it queues.
        List<String> replicas = e.subList(1, 5);
        for (int r = 0; r < 2; r++) {
          int started = replicas.indexOf("replica" + r + ".start");
          assertTrue(
              started >= 0 && started < replicas.indexOf("replica" + r + ".queued"), e.toString());
        }
        assertEquals(
            List.of("accumulate", "reduce", "adam", "broadcast", "ema", "done " + (step + 1)),
            e.subList(5, 11));
      }
    }
  }

  /**
   * Regression: two loops run one after the other in one JVM, while an unrelated thread spins and
   * allocates (changing when the garbage collector runs), compute bit-identical first-step
   * gradients. They used to differ, sometimes with NaNs: autograd kept scalar operands whose memory
   * was a Java direct buffer, freed by the collector before backward (see HostScalarsTest).
   */
  @Test
  void twoLoopsInOneJvmAgreeWhileAnotherThreadChurnsMemory() throws Exception {
    try (NDManager m = NDManager.newBaseManager(Device.cpu());
        TrainingSet data = new TrainingSet(ImageArchive.open(mnist()), true, false, true, 1, 7)) {
      TrainingOptions.Builder b =
          opts(tmp.resolve("x")).totalKimg(0.008).snapshotTicks(null).stateDumpTicks(null);
      Files.createDirectories(tmp.resolve("a"));
      Files.createDirectories(tmp.resolve("b"));
      Map<String, float[]> first =
          firstGradients(
              TrainingLoop.builder()
                  .setOptions(b.runDir(tmp.resolve("a")).build())
                  .setData(data)
                  .setNetworkFactory(tinyFactory(data, true))
                  .setLoss(new MartingaleLoss(10, 2))
                  .setAugmentation(AugmentPipe.training(0.5))
                  .setDevices(List.of(Device.cpu(), Device.cpu()))
                  .setRoot(m)
                  .setLog(s -> {})
                  .build());
      java.util.concurrent.atomic.AtomicBoolean stop =
          new java.util.concurrent.atomic.AtomicBoolean();
      Thread churn =
          new Thread(
              () -> {
                while (!stop.get()) {
                  java.nio.ByteBuffer.allocateDirect(64).putDouble(0, Double.NaN);
                  if (Math.random() < 1e-3) {
                    System.gc();
                  }
                }
              });
      churn.setDaemon(true);
      churn.start();
      Map<String, float[]> second;
      try {
        second =
            firstGradients(
                TrainingLoop.builder()
                    .setOptions(b.runDir(tmp.resolve("b")).build())
                    .setData(data)
                    .setNetworkFactory(tinyFactory(data, true))
                    .setLoss(new MartingaleLoss(10, 2))
                    .setAugmentation(AugmentPipe.training(0.5))
                    .setDevices(List.of(Device.cpu(), Device.cpu()))
                    .setRoot(m)
                    .setLog(s -> {})
                    .build());
      } finally {
        stop.set(true);
        churn.join();
      }
      assertEquals(first.keySet(), second.keySet());
      for (String k : first.keySet()) {
        assertArrayEquals(first.get(k), second.get(k), k);
      }
    }
  }

  @Test
  @Tag("slow")
  void shortMnistRunLowersTheLoss() throws Exception {
    try (NDManager m = NDManager.newBaseManager(Device.cpu());
        TrainingSet data = new TrainingSet(ImageArchive.open(mnist()), true, true, true, 2, 3)) {
      assertEquals(10, data.labelDim()); // class-conditional, x-flipped dataset
      List<String> lines = new ArrayList<>();
      Path dir = tmp.resolve("mnist");
      Files.createDirectories(dir);
      TrainingOptions o =
          opts(dir).batchSize(8).totalKimg(0.008 * 24).kimgPerTick(0.008).lr(4e-3).build();
      TrainingLoop t =
          TrainingLoop.builder()
              .setOptions(o)
              .setData(data)
              .setNetworkFactory(tinyFactory(data, true))
              .setLoss(new EDMLoss())
              .setAugmentation(AugmentPipe.training(0.12))
              .setDevices(List.of(Device.cpu()))
              .setRoot(m)
              .setSnapshotWriter(
                  (p, ema) -> NetworkLoader.save(PrecondNetworks.precond(ema), p, Map.of()))
              .setLog(lines::add)
              .build();
      t.run();
      List<Double> losses = new ArrayList<>();
      for (String line : Files.readAllLines(dir.resolve("stats.jsonl"))) {
        int i = line.indexOf("\"Loss/loss\"");
        String rest = line.substring(line.indexOf("\"mean\":", i) + 7);
        losses.add(Double.parseDouble(rest.substring(0, rest.indexOf(','))));
      }
      double first = avg(losses.subList(0, 5));
      double last = avg(losses.subList(losses.size() - 5, losses.size()));
      assertTrue(
          last < 0.8 * first,
          "loss fell: first ticks " + first + ", last ticks " + last + " " + losses);
      assertTrue(
          lines.stream()
              .anyMatch(
                  l -> l.startsWith("tick 23") && l.contains("sec/kimg") && l.contains("eta")),
          String.join("\n", lines));
    }
  }

  static double avg(List<Double> v) {
    return v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
  }
}

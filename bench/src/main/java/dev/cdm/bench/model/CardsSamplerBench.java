package dev.cdm.bench.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.cdm.bench.BenchArgs;
import dev.cdm.model.precond.Precision;
import dev.cdm.model.precond.Precond;
import dev.cdm.model.sampling.EdmSampler;
import dev.cdm.model.sampling.GlobalNoise;
import dev.cdm.model.sampling.ImageQuantizer;
import dev.cdm.model.torch.TorchRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;

/**
 * Sampling on one card and on several cards at once from one JVM, one thread per card, with no
 * pipeline around it: does a card sample slower when the same process drives another one? (The
 * two-card runs of {@code cdm evaluate} and {@code cdm generate} on Flink reach 1.78x of one card.)
 *
 * <p>Arguments ({@code key=value}): {@code cards} (2: runs 1 card, then 1..cards at once), {@code
 * device} gpu|cpu (gpu; cpu runs every thread on the CPU, to check the program), {@code batch}
 * (64), {@code steps} (18), {@code precision} fp32|fp16 (fp16), {@code rounds} (10 timed batches
 * per thread), {@code channels} (128). The network is the DDPM++ CIFAR-10 EDMPrecond (fresh init).
 * Prints one JSON line per card count: the img/s of each thread and their sum.
 */
public final class CardsSamplerBench {
  private CardsSamplerBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a = BenchArgs.parse(args);
    int cards = Integer.parseInt(a.getOrDefault("cards", "2"));
    boolean gpu = a.getOrDefault("device", "gpu").equals("gpu");
    int batch = Integer.parseInt(a.getOrDefault("batch", "64"));
    int steps = Integer.parseInt(a.getOrDefault("steps", "18"));
    int rounds = Integer.parseInt(a.getOrDefault("rounds", "10"));
    int channels = Integer.parseInt(a.getOrDefault("channels", "128"));
    Precision precision = Precision.parse(a.getOrDefault("precision", "fp16"));
    for (int n : cards > 1 ? new int[] {1, cards} : new int[] {1}) {
      double[] rates = run(n, gpu, batch, steps, rounds, channels, precision);
      double sum = 0;
      StringBuilder per = new StringBuilder();
      for (double r : rates) {
        sum += r;
        per.append(per.length() == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.2f", r));
      }
      System.out.printf(
          Locale.ROOT,
          "{\"bench\":\"cards-sampler\",\"cards\":%d,\"device\":\"%s\",\"precision\":\"%s\","
              + "\"batch\":%d,\"steps\":%d,\"rounds\":%d,\"img_per_s_each\":[%s],\"img_per_s\":%.2f}%n",
          n,
          gpu ? "gpu" : "cpu",
          precision.name().toLowerCase(Locale.ROOT),
          batch,
          steps,
          rounds,
          per,
          sum);
    }
  }

  /** The img/s of each of {@code n} threads sampling at once, thread i on card i. */
  private static double[] run(
      int n, boolean gpu, int batch, int steps, int rounds, int channels, Precision precision)
      throws Exception {
    double[] rates = new double[n];
    CyclicBarrier ready = new CyclicBarrier(n);
    List<Thread> threads = new ArrayList<>();
    List<Throwable> errors = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int card = i;
      Thread t =
          new Thread(
              () -> {
                try {
                  rates[card] =
                      sampleOn(
                          gpu ? Device.gpu(card) : Device.cpu(),
                          batch,
                          steps,
                          rounds,
                          channels,
                          precision,
                          ready);
                } catch (Throwable e) {
                  synchronized (errors) {
                    errors.add(e);
                  }
                  ready.reset();
                }
              },
              "card-" + i);
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    if (!errors.isEmpty()) {
      throw new IllegalStateException("a sampling thread failed", errors.get(0));
    }
    return rates;
  }

  private static double sampleOn(
      Device device,
      int batch,
      int steps,
      int rounds,
      int channels,
      Precision precision,
      CyclicBarrier ready)
      throws Exception {
    try (NDManager m = NDManager.newBaseManager(device)) {
      Precond net;
      NDArray latents;
      synchronized (TorchRandom.LOCK) {
        TorchRandom.manualSeed(0);
        net = Precond.create("EDMPrecond", SamplerBench.ddpmppCifar(32, channels), m);
        TorchRandom.manualSeed(1);
        latents = m.randomNormal(0f, 1f, new Shape(batch, 3, 32, 32), DataType.FLOAT32);
      }
      net.setPrecision(precision);
      EdmSampler sampler = EdmSampler.builder().numSteps(steps).build();
      // Warm-up at the timed batch (cuDNN autotuning, cast weights).
      try (NDManager w = m.newSubManager()) {
        latents.tempAttach(w);
        sampler.sample(net, latents, null, new GlobalNoise()).toDoubleArray();
      }
      ready.await();
      long t0 = System.nanoTime();
      for (int r = 0; r < rounds; r++) {
        try (NDManager run = m.newSubManager()) {
          latents.tempAttach(run);
          ImageQuantizer.toUint8(sampler.sample(net, latents, null, new GlobalNoise()))
              .toByteArray(); // waits for the device, as the pipeline's image encoding does
        }
      }
      return (double) batch * rounds / ((System.nanoTime() - t0) / 1e9);
    }
  }
}

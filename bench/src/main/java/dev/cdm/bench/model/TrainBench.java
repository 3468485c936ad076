package dev.cdm.bench.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.util.cuda.CudaUtils;
import dev.cdm.bench.BenchArgs;
import dev.cdm.model.augment.AugmentPipe;
import dev.cdm.model.loss.EDMLoss;
import dev.cdm.model.loss.Loss;
import dev.cdm.model.loss.MartingaleLoss;
import dev.cdm.model.loss.SeededRandomSource;
import dev.cdm.model.precond.Precision;
import dev.cdm.model.precond.Precond;
import dev.cdm.model.torch.Autograd;
import dev.cdm.model.training.Adam;
import dev.cdm.model.training.BatchSource;
import dev.cdm.model.training.PrecisionView;
import dev.cdm.model.training.PrecondNetworks;
import dev.cdm.model.training.StepListener;
import dev.cdm.model.training.Tensors;
import dev.cdm.model.training.TrainableNetwork;
import dev.cdm.model.training.TrainingLoop;
import dev.cdm.model.training.TrainingOptions;
import dev.cdm.model.training.TrainingSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Training-step throughput, the counterpart of the reference's {@code bench_ref.py}: DDPM++
 * CIFAR-10 network (EDMPrecond, 128 channels, [2,2,2], dropout 0.13, augment_dim 9), AugmentPipe
 * p=0.12, EDM or CDM loss (lambda 10, 6 steps), Adam at lr 1e-3 with the nan/inf guard, random
 * images, one JSON line with img/s, ms/step and peak device memory.
 *
 * <p>Arguments (key=value): loss=edm|cdm, batch=8, steps=3, warmup=1, device=cpu|gpu,
 * precision=fp32|fp16 (the network's execution), chain=fp32|fp16 (CDM's no-grad chains only),
 * res=32, cbase=128, augment=0.12; devices=N (N &gt; 0) times the whole training loop data parallel
 * over N devices with {@code batch} images per device instead of the bare step; compare-chain=fp16
 * prints the CDM loss of one batch with fp32 and with fp16 chains (same draws), compare-all=fp16
 * the same with the whole loss (all network calls) at fp16; timing=1 (with devices=N) also prints
 * the mean time per step of every phase of the loop (each phase then ends with a device sync, so
 * the step itself is slightly slower); context=1 only prints the device memory of a process holding
 * one small tensor and one convolution (CUDA context size); rss=1 (with devices=N on the CPU) adds
 * the process's resident memory before the network is made, after the warm-up and at its peak
 * during the timed steps ({@link ResidentMemory}).
 */
public final class TrainBench {
  private TrainBench() {}

  public static void main(String[] argv) throws Exception {
    Map<String, String> a = BenchArgs.parse(argv);
    String lossName = a.getOrDefault("loss", "edm");
    int batch = Integer.parseInt(a.getOrDefault("batch", "8"));
    int steps = Integer.parseInt(a.getOrDefault("steps", "3"));
    int warmup = Integer.parseInt(a.getOrDefault("warmup", "1"));
    int res = Integer.parseInt(a.getOrDefault("res", "32"));
    int cbase = Integer.parseInt(a.getOrDefault("cbase", "128"));
    double p = Double.parseDouble(a.getOrDefault("augment", "0.12"));
    Precision precision = Precision.parse(a.getOrDefault("precision", "fp32"));
    Precision chain = Precision.parse(a.getOrDefault("chain", a.getOrDefault("precision", "fp32")));
    Device device = "gpu".equals(a.getOrDefault("device", "cpu")) ? Device.gpu() : Device.cpu();

    if (a.containsKey("compare-chain") || a.containsKey("compare-all")) {
      boolean all = a.containsKey("compare-all");
      compareChain(
          batch,
          res,
          cbase,
          p,
          device,
          Precision.parse(a.get(all ? "compare-all" : "compare-chain")),
          all);
      return;
    }
    if (a.containsKey("context")) {
      // Device memory the process holds with nothing allocated but one small tensor and one
      // convolution (CUDA context, loaded kernels, library handles): compare with python3's.
      try (NDManager m = NDManager.newBaseManager(device)) {
        NDArray x = m.ones(new Shape(1, 3, 8, 8));
        NDArray y = dev.cdm.model.nn.Ops.conv2d(x, m.ones(new Shape(4, 3, 3, 3)), null, 1, 1, 1);
        y.sum().getFloat();
        System.out.println(
            String.format(
                Locale.ROOT,
                "{\"bench\":\"context\",\"device_mem_used_mib\":%d}",
                CudaUtils.getGpuMemory(device).getCommitted() >> 20));
      }
      return;
    }
    int devices = Integer.parseInt(a.getOrDefault("devices", "0"));
    if (devices > 0) {
      loopBench(
          lossName,
          batch,
          steps,
          warmup,
          res,
          cbase,
          p,
          precision,
          chain,
          device,
          devices,
          "1".equals(a.getOrDefault("timing", "0")),
          "1".equals(a.getOrDefault("rss", "0")));
      return;
    }
    Engine.getInstance().setRandomSeed(0);
    try (NDManager m = NDManager.newBaseManager(device)) {
      Map<String, Object> kw =
          PrecondNetworks.networkKwargs("ddpmpp", cbase, null, 0.13, false, true);
      TrainableNetwork net =
          PrecondNetworks.factory("EDMPrecond", kw, res, 3, 0, precision).create(m);
      Precond precond = PrecondNetworks.precond(net);
      net.setTraining(true);
      for (NDArray w : net.parameters().values()) {
        w.setRequiresGradient(true);
      }
      Loss loss = "cdm".equals(lossName) ? cdm(precond, chain) : new EDMLoss();
      AugmentPipe aug = AugmentPipe.training(p);
      Adam adam = new Adam();
      NDArray x = m.randomUniform(-1f, 1f, new Shape(batch, 3, res, res));
      NDArray labels = m.zeros(new Shape(batch, 0));
      double lossMean = 0;
      long t0 = 0;
      for (int i = 0; i < warmup + steps; i++) {
        if (i == warmup) {
          sync(m);
          t0 = System.nanoTime();
        }
        try (NDManager sub = m.newSubManager()) {
          NDArray xs = x.duplicate();
          xs.attach(sub);
          SeededRandomSource rnd = new SeededRandomSource(0, SeededRandomSource.streamOf(i, 0, 0));
          final int step = i;
          double[] lm = new double[1];
          Autograd.withGrad(
              () -> {
                NDArray l = loss.compute(net, xs, labels, aug, rnd);
                Autograd.backward(dev.cdm.model.nn.HostScalars.mul(l.sum(), 1.0 / batch));
                if (step == warmup + steps - 1) {
                  lm[0] = l.mean().getFloat();
                }
                return null;
              });
          lossMean = lm[0];
          LinkedHashMap<String, NDArray> params = net.parameters();
          java.util.List<NDArray> gl = new java.util.ArrayList<>();
          for (NDArray w : params.values()) {
            gl.add(w.getGradient());
          }
          NDArray g = Adam.flatten(gl);
          gl.forEach(NDArray::close);
          NDArray guarded = Tensors.nanToNum(g);
          g.close();
          adam.update(params, guarded, 1e-3);
          guarded.close();
          for (NDArray w : params.values()) {
            Autograd.zeroGrad(w);
          }
          net.parametersUpdated();
        }
      }
      sync(m);
      double dt = (System.nanoTime() - t0) / 1e9 / steps;
      double peak = device.isGpu() ? CudaUtils.getGpuMemory(device).getCommitted() / 1e9 : 0;
      System.out.println(
          String.format(
              Locale.ROOT,
              "{\"bench\":\"train_%s\",\"batch\":%d,\"precision\":\"%s\",\"chain\":\"%s\",\"device\":\"%s\","
                  + "\"ms_per_step\":%.2f,\"img_per_s\":%.1f,\"device_mem_committed_gb\":%.2f,\"loss_mean\":%.5f,\"params\":%d}",
              lossName,
              batch,
              precision,
              chain,
              device,
              dt * 1e3,
              batch / dt,
              peak,
              lossMean,
              precond.parameterCount()));
    }
  }

  /**
   * The whole training loop (data parallel over {@code devices} replicas of {@code device}'s kind,
   * per-replica batch {@code batch}, synthetic uint8 images), timed between step {@code warmup} and
   * the last step: the weak-scaling figure for multi-GPU efficiency.
   */
  private static void loopBench(
      String lossName,
      int batch,
      int steps,
      int warmup,
      int res,
      int cbase,
      double p,
      Precision precision,
      Precision chain,
      Device device,
      int devices,
      boolean timing,
      boolean rss)
      throws Exception {
    List<Device> devs = new ArrayList<>();
    for (int i = 0; i < devices; i++) {
      devs.add(device.isGpu() ? Device.gpu(i) : Device.cpu());
    }
    int total = batch * devices;
    java.util.Random r = new java.util.Random(0);
    byte[] pix = new byte[total * 3 * res * res];
    r.nextBytes(pix);
    BatchSource source =
        (start, count) ->
            new TrainingSet.HostBatch(
                java.util.Arrays.copyOf(pix, count * 3 * res * res),
                new float[0],
                count,
                3,
                res,
                0);
    Map<String, Object> kw =
        PrecondNetworks.networkKwargs("ddpmpp", cbase, null, 0.13, false, true);
    Path dir = Files.createTempDirectory("trainbench");
    TrainingOptions o =
        TrainingOptions.builder()
            .runDir(dir)
            .seed(0)
            .batchSize(total)
            .totalKimg(1e9)
            .lr(1e-3)
            .lrRampupKimg(0)
            .kimgPerTick(1e9)
            .snapshotTicks(null)
            .stateDumpTicks(null)
            .maxSteps((long) (warmup + steps))
            .build();
    Loss loss = "cdm".equals(lossName) ? new MartingaleLoss(10.0, 6) : new EDMLoss();
    if ("cdm".equals(lossName) && chain != precision) {
      ((MartingaleLoss) loss)
          .withChainNet(
              net -> new PrecisionView(PrecondNetworks.precond((TrainableNetwork) net), chain));
    }
    try (NDManager root = NDManager.newBaseManager(devs.get(0))) {
      long[] t = new long[2];
      double[] resident = new double[3]; // MiB: before the network, after the warm-up, peak
      root.zeros(new Shape(1)).toFloatArray(); // the engine is loaded
      resident[0] = ResidentMemory.mib("VmRSS");
      java.util.function.LongConsumer clock =
          n -> {
            if (n == warmup || n == warmup + steps) {
              for (Device d : devs) {
                try (NDManager sm = root.newSubManager(d)) {
                  sm.zeros(new Shape(1)).toFloatArray();
                }
              }
              t[n == warmup ? 0 : 1] = System.nanoTime();
              if (rss && n == warmup) {
                ResidentMemory.resetPeak();
                resident[1] = ResidentMemory.mib("VmRSS");
              } else if (rss) {
                resident[2] = ResidentMemory.mib("VmHWM");
              }
            }
          };
      PhaseTimes phases = timing ? new PhaseTimes(root, devs, warmup, clock) : null;
      TrainingLoop loop =
          TrainingLoop.builder()
              .setOptions(o)
              .setData(source)
              .setNetworkFactory(PrecondNetworks.factory("EDMPrecond", kw, res, 3, 0, precision))
              .setLoss(loss)
              .setAugmentation(AugmentPipe.training(p))
              .setDevices(devs)
              .setRoot(root)
              .setLog(line -> {})
              .setStepListener(phases == null ? StepListener.afterEachStep(clock) : phases)
              .build();
      loop.run();
      double dt = (t[1] - t[0]) / 1e9 / steps;
      double mem = device.isGpu() ? CudaUtils.getGpuMemory(devs.get(0)).getCommitted() / 1e9 : 0;
      System.out.println(
          String.format(
              Locale.ROOT,
              "{\"bench\":\"loop_%s\",\"devices\":%d,\"batch_per_device\":%d,\"precision\":\"%s\",\"chain\":\"%s\","
                  + "\"ms_per_step\":%.2f,\"img_per_s\":%.1f,\"device0_mem_committed_gb\":%.2f,\"loss_mean\":%.5f}",
              lossName,
              devices,
              batch,
              precision,
              chain,
              dt * 1e3,
              total / dt,
              mem,
              loop.lastLossMean()));
      if (rss) {
        System.out.println(
            String.format(
                Locale.ROOT,
                "{\"bench\":\"loop_%s_rss\",\"res\":%d,\"cbase\":%d,\"rss_base_mib\":%.1f,"
                    + "\"rss_rest_mib\":%.1f,\"rss_peak_mib\":%.1f}",
                lossName,
                res,
                cbase,
                resident[0],
                resident[1],
                resident[2]));
      }
      if (phases != null) {
        System.out.println(phases.report());
      }
    }
  }

  /**
   * The CDM loss on one batch with identical random draws, once with the no-grad chains at fp32 and
   * once at {@code chain}: the faithfulness check for reduced-precision chains.
   */
  private static void compareChain(
      int batch, int res, int cbase, double p, Device device, Precision chain, boolean all)
      throws Exception {
    Engine.getInstance().setRandomSeed(0);
    try (NDManager m = NDManager.newBaseManager(device)) {
      Map<String, Object> kw =
          PrecondNetworks.networkKwargs("ddpmpp", cbase, null, 0.0, false, true);
      TrainableNetwork net =
          PrecondNetworks.factory("EDMPrecond", kw, res, 3, 0, Precision.FP32).create(m);
      Precond precond = PrecondNetworks.precond(net);
      precond.setTraining(false);
      NDArray x = m.randomUniform(-1f, 1f, new Shape(batch, 3, res, res));
      NDArray labels = m.zeros(new Shape(batch, 0));
      AugmentPipe aug = AugmentPipe.training(p);
      float[][] out = new float[2][];
      for (int k = 0; k < 2; k++) {
        MartingaleLoss l = new MartingaleLoss(10.0, 6);
        if (k == 1 && !all) {
          l.withChainNet(n -> new PrecisionView(precond, chain));
        }
        precond.setPrecision(k == 1 && all ? chain : Precision.FP32);
        SeededRandomSource rnd = new SeededRandomSource(0, 0);
        out[k] = Autograd.noGrad(() -> l.compute(net, x, labels, aug, rnd)).toFloatArray();
      }
      double maxAbs = 0;
      double mean0 = 0;
      double mean1 = 0;
      for (int i = 0; i < out[0].length; i++) {
        maxAbs = Math.max(maxAbs, Math.abs(out[0][i] - out[1][i]));
        mean0 += out[0][i];
        mean1 += out[1][i];
      }
      mean0 /= out[0].length;
      mean1 /= out[0].length;
      System.out.println(
          String.format(
              Locale.ROOT,
              "{\"bench\":\"cdm_%s_check\",\"precision\":\"%s\",\"batch\":%d,\"loss_mean_fp32\":%.6f,"
                  + "\"loss_mean_reduced\":%.6f,\"rel_mean_diff\":%.3e,\"max_abs_elem_diff\":%.3e}",
              all ? "whole_loss" : "chain",
              chain,
              batch,
              mean0,
              mean1,
              Math.abs(mean1 - mean0) / Math.abs(mean0),
              maxAbs));
    }
  }

  private static MartingaleLoss cdm(Precond precond, Precision chain) {
    MartingaleLoss l = new MartingaleLoss(10.0, 6);
    if (chain != precond.precision()) {
      // The chains carry no gradient: evaluate them with the same weights at another precision.
      l.withChainNet(net -> new PrecisionView(precond, chain));
    }
    return l;
  }

  private static void sync(NDManager m) {
    m.zeros(new Shape(1)).toFloatArray(); // a device-to-host copy waits for queued kernels
  }
}

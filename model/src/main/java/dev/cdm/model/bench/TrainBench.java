package dev.cdm.model.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.util.cuda.CudaUtils;
import dev.cdm.model.augment.AugmentPipe;
import dev.cdm.model.loss.EDMLoss;
import dev.cdm.model.loss.Loss;
import dev.cdm.model.loss.MartingaleLoss;
import dev.cdm.model.loss.SeededRandomSource;
import dev.cdm.model.precond.Precision;
import dev.cdm.model.precond.Precond;
import dev.cdm.model.training.Adam;
import dev.cdm.model.training.Autograd;
import dev.cdm.model.training.PrecisionView;
import dev.cdm.model.training.PrecondNetworks;
import dev.cdm.model.training.Tensors;
import dev.cdm.model.training.TrainableNetwork;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Training-step throughput, the counterpart of the reference's {@code bench_ref.py}: DDPM++
 * CIFAR-10 network (EDMPrecond, 128 channels, [2,2,2], dropout 0.13, augment_dim 9), AugmentPipe
 * p=0.12, EDM or CDM loss (lambda 10, 6 steps), Adam at lr 1e-3 with the nan/inf guard, random
 * images, one JSON line with img/s, ms/step and peak device memory.
 *
 * <p>Arguments (key=value): loss=edm|cdm, batch=8, steps=3, warmup=1, device=cpu|gpu,
 * precision=fp32|fp16|bf16 (the network's execution), chain=fp32|fp16|bf16 (CDM's no-grad chains
 * only), res=32, cbase=128, augment=0.12, replicas=1 (unused: one device).
 */
public final class TrainBench {
  private TrainBench() {}

  public static void main(String[] argv) throws Exception {
    Map<String, String> a = new HashMap<>();
    for (String s : argv) {
      int eq = s.indexOf('=');
      a.put(s.substring(0, eq).replaceFirst("^--", ""), s.substring(eq + 1));
    }
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

    Engine.getInstance().setRandomSeed(0);
    try (NDManager m = NDManager.newBaseManager(device)) {
      Map<String, Object> kw = PrecondNetworks.networkKwargs("ddpmpp", cbase, null, 0.13, false, true);
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
          Autograd.withGrad(() -> {
            NDArray l = loss.compute(net, xs, labels, aug, rnd);
            Autograd.backward(l.sum().mul(1.0 / batch));
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
          Tensors.nanToNum(g);
          adam.update(params, g, 1e-3);
          g.close();
          for (NDArray w : params.values()) {
            Autograd.zeroGrad(w);
          }
          net.parametersUpdated();
        }
      }
      sync(m);
      double dt = (System.nanoTime() - t0) / 1e9 / steps;
      double peak = device.isGpu() ? CudaUtils.getGpuMemory(device).getCommitted() / 1e9 : 0;
      System.out.println(String.format(Locale.ROOT,
          "{\"bench\":\"train_%s\",\"batch\":%d,\"precision\":\"%s\",\"chain\":\"%s\",\"device\":\"%s\","
              + "\"ms_per_step\":%.2f,\"img_per_s\":%.1f,\"device_mem_committed_gb\":%.2f,\"loss_mean\":%.5f,\"params\":%d}",
          lossName, batch, precision, chain, device, dt * 1e3, batch / dt, peak, lossMean, precond.parameterCount()));
    }
  }

  private static Loss cdm(Precond precond, Precision chain) {
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

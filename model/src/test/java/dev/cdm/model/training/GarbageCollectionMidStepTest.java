package dev.cdm.model.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.cdm.model.augment.AugmentPipe;
import dev.cdm.model.augment.Augmentation;
import dev.cdm.model.data.ImageArchive;
import dev.cdm.model.loss.EDMLoss;
import dev.cdm.model.loss.Loss;
import dev.cdm.model.loss.MartingaleLoss;
import dev.cdm.model.nn.HostScalars;
import dev.cdm.model.precond.Precision;
import dev.cdm.model.torch.Autograd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The finding of issue 6 (two training loops in one JVM gave different gradients, sometimes NaN):
 * DJL makes an array from a Java number or Java array by wrapping a direct ByteBuffer with torch's
 * {@code from_blob}, which on the CPU does not copy; only the Java array object keeps the buffer
 * alive. When libtorch keeps such a tensor after the Java array is closed (autograd saves the
 * scalar {@code c} of {@code x * c} for the backward pass; {@code to()} on the same device returns
 * an alias), a garbage collection frees the memory under it and the backward pass reads whatever
 * the allocator wrote there. Whether a collection lands between forward and backward depends on the
 * heap, which is why a second loop in the same JVM (and other threads' allocations) made it show.
 * These tests force the collection at that point.
 */
class GarbageCollectionMidStepTest {
  @TempDir Path tmp;

  /** Collects garbage and gives the reference handler time to free the collected direct buffers. */
  static void collectGarbage() {
    for (int i = 0; i < 5; i++) {
      System.gc();
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** d/dx of sum(op(x)) at x, with a collection between the forward and the backward pass. */
  private static float[] gradientAfterGc(NDManager m, float[] x, UnaryOperator<NDArray> op) {
    try (NDManager sub = m.newSubManager()) {
      NDArray a =
          sub.create(x).duplicate(); // duplicate: the leaf itself stays alive, as a parameter would
      a.setRequiresGradient(true);
      NDArray y = Autograd.withGrad(() -> op.apply(a).sum());
      collectGarbage();
      Autograd.backward(y);
      return a.getGradient().toFloatArray();
    }
  }

  @Test
  void hostScalarsStayValidForTheBackwardPass() {
    float[] x = {0.5f, 1.5f, 2f, 3f};
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      Map<String, UnaryOperator<NDArray>> ops =
          Map.of(
              "mul", a -> HostScalars.mul(a, 3.0),
              "div", a -> HostScalars.div(a, 4.0),
              "rdiv", a -> HostScalars.rdiv(2.0, a),
              "pow", a -> HostScalars.pow(a, 3.0),
              "rpow", a -> HostScalars.rpow(2.0, a),
              "maximum", a -> HostScalars.maximum(a, 1.0));
      for (Map.Entry<String, UnaryOperator<NDArray>> e : ops.entrySet()) {
        float[] g = gradientAfterGc(m, x, e.getValue());
        for (int i = 0; i < x.length; i++) {
          double v = x[i];
          double want =
              switch (e.getKey()) {
                case "mul" -> 3;
                case "div" -> 0.25;
                case "rdiv" -> -2 / (v * v);
                case "pow" -> 3 * v * v;
                case "rpow" -> Math.log(2) * Math.pow(2, v);
                default -> v > 1 ? 1 : 0;
              };
          assertEquals(want, g[i], 1e-5 * Math.abs(want) + 1e-7, e.getKey() + ": d/dx at x=" + v);
        }
      }
    }
  }

  /** The loss, then a garbage collection before the loop runs the backward pass. */
  private static Loss collectingAfter(Loss loss) {
    return (net, images, labels, augment, random) -> {
      NDArray l = loss.compute(net, images, labels, augment, random);
      collectGarbage();
      return l;
    };
  }

  /**
   * A tiny DDPM++, NCSN++ or ADM (skip_scale = sqrt(1/2); NCSN++ adds the residual encoder's
   * 1/sqrt(2)) with self-attention at 14x14 and one augment label, so that every constant scaling
   * of the activations and the augment labels are in the step.
   */
  private static NetworkFactory tiny(String arch, TrainingSet data) {
    Map<String, Object> kw =
        PrecondNetworks.networkKwargs(arch, 8, List.of(1, 2), 0.0, false, false);
    kw.put("num_blocks", 1);
    kw.put("attn_resolutions", List.of(14));
    kw.put("augment_dim", 1);
    return PrecondNetworks.factory(
        "EDMPrecond", kw, data.resolution(), data.channels(), data.labelDim(), Precision.FP32);
  }

  private Map<String, float[]> firstGradients(
      String name,
      String arch,
      TrainingSet data,
      NDManager m,
      Loss loss,
      Augmentation augment,
      int devices)
      throws Exception {
    TrainingOptions o =
        TrainingLoopTest.opts(tmp.resolve(name))
            .totalKimg(0.008)
            .snapshotTicks(null)
            .stateDumpTicks(null)
            .build();
    Files.createDirectories(o.runDir());
    List<Device> d = devices == 1 ? List.of(Device.cpu()) : List.of(Device.cpu(), Device.cpu());
    TrainingLoop t =
        TrainingLoop.builder()
            .setOptions(o)
            .setData(data)
            .setNetworkFactory(tiny(arch, data))
            .setLoss(loss)
            .setAugmentation(augment)
            .setDevices(d)
            .setRoot(m)
            .setLog(s -> {})
            .build();
    return TrainingLoopTest.firstGradients(t);
  }

  @Test
  void twoLoopsInOneJvmAgreeWhenTheGarbageCollectorRunsMidStep() throws Exception {
    try (NDManager m = NDManager.newBaseManager(Device.cpu());
        TrainingSet data =
            new TrainingSet(
                ImageArchive.open(TrainingLoopTest.mnist()), false, false, true, 1, 7)) {
      AugmentPipe xflip = AugmentPipe.builder().p(1).xflip(1).build();
      // The EDM loss on every architecture with 1 and 2 replicas; CDM's martingale loss on DDPM++.
      List<String> cases =
          List.of(
              "ddpmpp edm 1",
              "ddpmpp edm 2",
              "ncsnpp edm 1",
              "ncsnpp edm 2",
              "adm edm 1",
              "adm edm 2",
              "ddpmpp martingale 1");
      for (String c : cases) {
        String[] f = c.split(" ");
        String arch = f[0];
        int devices = Integer.parseInt(f[2]);
        Supplier<Loss> loss = f[1].equals("edm") ? EDMLoss::new : () -> new MartingaleLoss(10, 3);
        String dir = c.replace(' ', '-');
        Map<String, float[]> a =
            firstGradients("a-" + dir, arch, data, m, loss.get(), xflip, devices);
        Map<String, float[]> b =
            firstGradients("b-" + dir, arch, data, m, collectingAfter(loss.get()), xflip, devices);
        assertEquals(a.keySet(), b.keySet());
        boolean nonZero = false;
        for (String k : a.keySet()) {
          assertArrayEquals(a.get(k), b.get(k), c + ": gradient of " + k);
          for (float v : a.get(k)) {
            nonZero |= v != 0;
          }
        }
        assertTrue(nonZero, c + ": the step computed gradients");
      }
    }
  }
}

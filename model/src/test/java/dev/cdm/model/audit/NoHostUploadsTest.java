package dev.cdm.model.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.cdm.model.loss.SeededRandomSource;
import dev.cdm.model.nn.DropoutStream;
import dev.cdm.model.precond.FreshNetworkTest;
import dev.cdm.model.precond.Precond;
import dev.cdm.model.sampling.EdmSampler;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The network's forward and backward passes and the sampler loop make no array from host memory (on
 * a GPU: no blocking upload that would drain the device queue; see {@link HostUploads}). Arithmetic
 * with a constant goes through {@code HostScalars}, whose host-side 0-d arrays libtorch passes to
 * kernels as plain arguments; those are the only host arrays allowed here.
 */
class NoHostUploadsTest {
  private static final Predicate<String> HOST_SCALARS =
      w -> false; // scalars are made by libtorch: none allowed

  /**
   * A DDPM++-like network with every feature switched on: labels, augment labels, attention,
   * dropout.
   */
  static Map<String, Object> ddpmpp() {
    Map<String, Object> kw = FreshNetworkTest.tiny();
    kw.put("dropout", 0.1);
    kw.put("label_dropout", 0.1);
    return kw;
  }

  /** NCSN++: Fourier embedding, residual encoder, skip decoder, [1,3,3,1] filters. */
  static Map<String, Object> ncsnpp() {
    Map<String, Object> kw = ddpmpp();
    kw.put("embedding_type", "fourier");
    kw.put("channel_mult_noise", 2);
    kw.put("encoder_type", "residual");
    kw.put("decoder_type", "skip");
    kw.put("resample_filter", List.of(1, 3, 3, 1));
    return kw;
  }

  /** ADM (DhariwalUNet), the iDDPM network. */
  static Map<String, Object> adm() {
    Map<String, Object> kw = ddpmpp();
    kw.put("model_type", "DhariwalUNet");
    for (String k :
        List.of(
            "embedding_type",
            "encoder_type",
            "decoder_type",
            "channel_mult_noise",
            "resample_filter",
            "label_dropout")) {
      kw.remove(k);
    }
    kw.put("model_channels", 64);
    return kw;
  }

  private static Map<String, Object> network(String arch) {
    switch (arch) {
      case "ncsnpp":
        return ncsnpp();
      case "adm":
        return adm();
      default:
        return ddpmpp();
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"EDMPrecond/ddpmpp", "VPPrecond/ddpmpp", "VEPrecond/ncsnpp", "iDDPMPrecond/adm"})
  void trainingForwardAndBackwardMakeNoHostArrays(String spec) {
    String[] parts = spec.split("/");
    try (NDManager m = NDManager.newBaseManager();
        Precond net = Precond.create(parts[0], network(parts[1]), m)) {
      net.setTraining(true);
      for (NDArray p : net.parameters().values()) {
        p.setRequiresGradient(true);
      }
      NDArray x = m.randomNormal(new Shape(2, 3, 16, 16));
      NDArray sigma = m.randomUniform(0.5f, 5f, new Shape(2));
      NDArray labels = m.eye(10).get("0:2");
      NDArray augment = m.randomNormal(new Shape(2, 9));
      for (boolean replicaStream : new boolean[] {false, true}) {
        SeededRandomSource random = new SeededRandomSource(7, 1);
        DropoutStream.Uniform stream =
            replicaStream ? (mm, shape) -> random.rand(mm, shape, DataType.FLOAT32) : null;
        List<String> uploads =
            HostUploads.during(
                () ->
                    DropoutStream.with(
                        stream,
                        () -> {
                          try (NDManager step = m.newSubManager();
                              GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            NDArray d =
                                net.denoise(
                                    x,
                                    sigma,
                                    parts[0].equals("VEPrecond") ? null : labels,
                                    augment);
                            gc.backward(d.sub(x).square().mean());
                          }
                          return null;
                        }),
                HOST_SCALARS);
        assertEquals(
            List.of(), uploads, spec + (replicaStream ? " with a replica dropout stream" : ""));
      }
    }
  }

  @Test
  void samplerLoopMakesNoHostArrays() {
    try (NDManager m = NDManager.newBaseManager();
        Precond net = Precond.create("EDMPrecond", ddpmpp(), m)) {
      NDArray latents = m.randomNormal(new Shape(2, 3, 16, 16));
      NDArray labels = m.eye(10).get("0:2");
      EdmSampler sampler = EdmSampler.builder().numSteps(4).build();
      // The step plan (t_i, rounded by the network) is computed on the host before the loop.
      List<String> uploads =
          HostUploads.during(
              () -> sampler.sample(net, latents, labels, null).close(),
              HOST_SCALARS.or(w -> w.startsWith("TimeSteps.roundSigma")));
      assertEquals(List.of(), uploads);
    }
  }
}

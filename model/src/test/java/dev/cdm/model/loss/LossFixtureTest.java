package dev.cdm.model.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.cdm.model.augment.Augmentation;
import dev.cdm.model.io.NetworkLoader;
import dev.cdm.model.io.NpzFile;
import dev.cdm.model.precond.Precond;
import dev.cdm.model.torch.Autograd;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every fixture's {@code loss} reproduced from its recorded draws: the reference's loss function
 * called on {@code loss_images} with an identity augmentation returning zero augment labels.
 */
class LossFixtureTest {

  static Map<String, NDArray> npz(NDManager m, String name) throws Exception {
    try (InputStream in = LossFixtureTest.class.getResourceAsStream("/fixtures/" + name + ".npz")) {
      return NpzFile.read(in, name + ".npz").toNDArrays(m);
    }
  }

  static Loss lossFor(String name) {
    switch (name) {
      case "ddpmpp-edm-cond":
        return new EDMLoss();
      case "ncsnpp-ve-uncond":
        return new VELoss();
      case "adm-vp-cond":
        return new VPLoss();
      case "ddpmpp-cdm-gray":
        return new MartingaleLoss(10.0, 6);
      default:
        throw new IllegalArgumentException(name);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"ddpmpp-edm-cond", "ncsnpp-ve-uncond", "adm-vp-cond", "ddpmpp-cdm-gray"})
  void lossFromRecordedDraws(String name) throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> fx = npz(m, name);
      Precond net =
          NetworkLoader.load(
              java.nio.file.Path.of(
                  LossFixtureTest.class.getResource("/fixtures/" + name + ".pkl").toURI()),
              m);
      List<NDArray> draws = new ArrayList<>();
      for (int k = 0; fx.containsKey(String.format("loss_draw_%02d", k)); k++) {
        draws.add(fx.get(String.format("loss_draw_%02d", k)));
      }
      NDArray images = fx.get("loss_images");
      long n = images.getShape().get(0);
      NDArray labels =
          fx.containsKey("class_labels") ? fx.get("class_labels") : m.zeros(new Shape(n, 0));
      Augmentation identity =
          (x, r) ->
              new Augmentation.Augmented(
                  x, x.getManager().zeros(new Shape(x.getShape().get(0), 9)));
      ReplayRandomSource replay = new ReplayRandomSource(draws);
      NDArray loss =
          Autograd.noGrad(() -> lossFor(name).compute(net, images, labels, identity, replay));
      assertEquals(draws.size(), replay.consumed(), "every recorded draw is used, in order");
      assertClose(name, fx.get("loss"), loss);
    }
  }

  static void assertClose(String name, NDArray expect, NDArray loss) {
    assertEquals(expect.getShape(), loss.getShape());
    float[] a = loss.toType(DataType.FLOAT32, false).toFloatArray();
    float[] b = expect.toFloatArray();
    double worst = 0;
    for (int i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs(a[i] - b[i]));
    }
    assertTrue(worst <= 1e-4, name + ": max |loss - reference| = " + worst);
  }
}

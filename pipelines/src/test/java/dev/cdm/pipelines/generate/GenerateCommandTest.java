package dev.cdm.pipelines.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.cdm.model.io.NpzFile;
import dev.cdm.pipelines.Cdm;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code cdm generate} on the fixture networks against the reference's generate.py images. */
class GenerateCommandTest {

  static Path fixture(String file) throws Exception {
    return Path.of(GenerateCommandTest.class.getResource("/fixtures/" + file).toURI());
  }

  @ParameterizedTest
  @ValueSource(strings = {"ddpmpp-edm-cond", "ddpmpp-cdm-gray"})
  @Tag("slow")
  void stochasticImagesEqualTheReferenceWithinOneLevel(String name, @TempDir Path out)
      throws Exception {
    try (NDManager m = NDManager.newBaseManager();
        InputStream in = Files.newInputStream(fixture(name + ".npz"))) {
      java.util.Map<String, NDArray> fx = NpzFile.read(in, name + ".npz").toNDArrays(m);
      NDArray expected = fx.get("seed_stochastic_heun8");
      long[] seeds = fx.get("seeds").toType(DataType.INT64, false).toLongArray();
      StringBuilder list = new StringBuilder();
      for (long s : seeds) {
        list.append(list.length() == 0 ? "" : ",").append(s);
      }
      int rc =
          Cdm.commandLine()
              .execute(
                  "generate",
                  "--network=" + fixture(name + ".pkl"),
                  "--outdir=" + out,
                  "--seeds=" + list,
                  "--subdirs",
                  "--batch=4",
                  "--steps=8",
                  "--S_churn=40",
                  "--S_min=0.05",
                  "--S_max=50",
                  "--S_noise=1.003",
                  "--runner=DirectRunner");
      assertEquals(0, rc);
      // generate.py's quantisation of the reference output, [N, H, W, C].
      NDArray ref =
          expected
              .mul(127.5)
              .add(128)
              .clip(0, 255)
              .toType(DataType.UINT8, false)
              .transpose(0, 2, 3, 1)
              .toType(DataType.INT32, false);
      for (int b = 0; b < seeds.length; b++) {
        Path png =
            out.resolve(
                String.format(Locale.ROOT, "%06d/%06d.png", seeds[b] - seeds[b] % 1000, seeds[b]));
        int[] hwc = new int[3];
        byte[] px = decodeHwc(Files.readAllBytes(png), hwc);
        long c = expected.getShape().get(1);
        assertArrayEquals(new int[] {16, 16, (int) c}, hwc, png.toString());
        int[] want = ref.get(b).toIntArray();
        int worst = 0;
        for (int i = 0; i < px.length; i++) {
          worst = Math.max(worst, Math.abs((px[i] & 0xff) - want[i]));
        }
        assertTrue(worst <= 1, png + ": differs from the reference by " + worst + " levels");
      }
    }
  }

  @Test
  void badFlagsNameTheFlag(@TempDir Path out) throws Exception {
    java.io.StringWriter err = new java.io.StringWriter();
    var cl = Cdm.commandLine();
    cl.setErr(new java.io.PrintWriter(err));
    int rc =
        cl.execute(
            "generate",
            "--network=" + fixture("ddpmpp-cdm-gray.pkl"),
            "--outdir=" + out,
            "--seeds=1,x");
    assertNotEquals(0, rc);
    assertTrue(err.toString().contains("--seeds"), err.toString());
  }

  /** The pixels of a PNG ([H, W, C] bytes), its shape into {@code hwc}. */
  private static byte[] decodeHwc(byte[] png, int[] hwc) throws Exception {
    dev.cdm.model.data.Pixels p = dev.cdm.model.data.PngCodec.decode(png, "png");
    hwc[0] = p.height();
    hwc[1] = p.width();
    hwc[2] = p.channels();
    return p.data();
  }
}

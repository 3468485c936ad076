package dev.cdm.bench.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.cdm.model.io.NetworkLoader;
import dev.cdm.model.precond.Precision;
import dev.cdm.model.precond.Precond;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Forward parity on any device: for each reference fixture network ({@code <name>.pkl} + {@code
 * <name>.npz} in a folder), the max abs error of D, D_noaug and round_sigma against the reference
 * (computed in float32 on the CPU), one JSON line per network and precision.
 *
 * <pre>
 * args: FIXTURE_DIR [cpu|gpu] [fp32|fp16 ...]
 * e.g.  model/src/test/resources/fixtures gpu fp32 fp16
 * </pre>
 */
public final class ParityCheck {
  private static final String[] NETWORKS = {
    "ddpmpp-edm-cond", "ncsnpp-ve-uncond", "adm-vp-cond", "ddpmpp-cdm-gray"
  };

  private ParityCheck() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      throw new IllegalArgumentException(
          "usage: ParityCheck FIXTURE_DIR [cpu|gpu] [fp32|fp16 ...]");
    }
    Path dir = Path.of(args[0]);
    Device device = args.length > 1 && args[1].equals("gpu") ? Device.gpu() : Device.cpu();
    String[] precisions =
        args.length > 2
            ? java.util.Arrays.copyOfRange(args, 2, args.length)
            : new String[] {"fp32"};
    try (NDManager m = NDManager.newBaseManager(device)) {
      for (String name : NETWORKS) {
        Path pkl = dir.resolve(name + ".pkl");
        if (!Files.exists(pkl)) {
          System.out.printf("{\"network\":\"%s\",\"error\":\"missing %s\"}%n", name, pkl);
          continue;
        }
        try (Precond net = NetworkLoader.load(pkl, m)) {
          Map<String, NDArray> r = new HashMap<>();
          for (NDArray a : NDList.decode(m, Files.readAllBytes(dir.resolve(name + ".npz")))) {
            r.put(a.getName(), a.toDevice(device, false));
          }
          for (String p : precisions) {
            net.setPrecision(Precision.parse(p));
            double d =
                maxErr(
                    r.get("D"),
                    net.denoise(
                        r.get("x"),
                        r.get("sigma"),
                        r.get("class_labels"),
                        r.get("augment_labels")));
            double dn =
                maxErr(
                    r.get("D_noaug"),
                    net.denoise(r.get("x"), r.get("sigma"), r.get("class_labels")));
            double rs = maxErr(r.get("round_sigma_out"), net.roundSigma(r.get("round_sigma_in")));
            System.out.printf(
                "{\"network\":\"%s\",\"device\":\"%s\",\"precision\":\"%s\",\"D_max_abs_err\":%.3g,"
                    + "\"D_noaug_max_abs_err\":%.3g,\"round_sigma_max_abs_err\":%.3g,\"D_max_abs\":%.3g}%n",
                name, device, p, d, dn, rs, r.get("D").abs().max().getFloat());
          }
        }
      }
    }
  }

  private static double maxErr(NDArray expected, NDArray actual) {
    return expected
        .toType(DataType.FLOAT64, false)
        .sub(actual.toType(DataType.FLOAT64, false).toDevice(expected.getDevice(), false))
        .abs()
        .max()
        .getDouble();
  }
}

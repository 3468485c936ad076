package dev.cdm.pipelines;

import dev.cdm.model.io.NetworkSnapshot;
import dev.cdm.model.io.TensorData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cdm convert-network}: a reference {@code network-snapshot-*.pkl} (or a cdm snapshot) into
 * our snapshot format, a {@code .safetensors} file with the network's constructor arguments, loss,
 * augmentation and dataset settings in its metadata. The pickle is read without executing anything.
 */
@Command(
    name = "convert-network",
    mixinStandardHelpOptions = true,
    description =
        "Convert a reference network pickle (network-snapshot-*.pkl, path or http(s)/gs URL) into a cdm "
            + "snapshot (.safetensors tensors + JSON config). Nothing in the pickle is executed.")
public final class ConvertNetworkCommand implements Callable<Integer> {
  @Option(
      names = "--network",
      required = true,
      paramLabel = "PATH|URL",
      description = "Reference .pkl (the 'ema' network, else 'net') or cdm .safetensors snapshot.")
  String network;

  @Option(
      names = "--dest",
      required = true,
      paramLabel = "FILE",
      description = "Output .safetensors file (written atomically).")
  Path dest;

  @Override
  public Integer call() throws IOException {
    Outputs.checkFile("--dest", dest.toString());
    long t0 = System.nanoTime();
    NetworkSnapshot s = NetworkCheck.of(network, "--network").snapshot();
    long params = 0;
    for (TensorData t : s.stateDict().values()) {
      params += t.numel();
    }
    s.write(dest);
    System.out.printf("%s: %s(%s)%n", network, s.className(), s.initKwargs());
    s.lossFn()
        .ifPresent(l -> System.out.printf("  loss_fn: %s(%s)%n", l.className(), l.initKwargs()));
    s.augmentPipe()
        .ifPresent(
            a -> System.out.printf("  augment_pipe: %s(%s)%n", a.className(), a.initKwargs()));
    System.out.printf(
        "wrote %s: %d state-dict tensors, %,d elements (parameters and buffers), %.1f MB in %.2f s%n",
        dest, s.stateDict().size(), params, Files.size(dest) / 1e6, (System.nanoTime() - t0) / 1e9);
    return 0;
  }
}

package dev.cdm.pipelines;

import ai.djl.ndarray.NDManager;
import dev.cdm.model.io.NetworkLoader;
import dev.cdm.model.io.NetworkSnapshot;
import dev.cdm.model.io.ObjectConfig;
import dev.cdm.model.precond.Precond;
import java.io.PrintWriter;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code cdm inspect --network PATH}: what a network file holds, without running it. */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description =
        "Print a network's preconditioning, architecture, resolution, channels, label and augment"
            + " dimensions and parameter count (reference network-snapshot-*.pkl or our"
            + " .safetensors snapshot). Nothing in the file is executed.")
public final class InspectCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--network",
      required = true,
      paramLabel = "PATH",
      description =
          "Network: a reference .pkl (its 'ema' entry) or our .safetensors snapshot;"
              + " a local path, http(s):// or gs:// URL.")
  String network;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    NetworkSnapshot snap = NetworkCheck.of(network, "--network").snapshot();
    try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu());
        Precond net = NetworkLoader.fromSnapshot(snap, m, network)) {
      Map<String, Object> kw = net.initKwargs();
      out.printf("network:         %s%n", network);
      out.printf("preconditioning: %s%n", net.className());
      out.printf("architecture:    %s%s%n", net.model().referenceName(), variant(kw));
      out.printf("resolution:      %dx%d%n", net.imgResolution(), net.imgResolution());
      out.printf("channels:        %d%n", net.imgChannels());
      out.printf(
          "label_dim:       %d%s%n", net.labelDim(), net.labelDim() == 0 ? " (unconditional)" : "");
      out.printf("augment_dim:     %d%n", net.augmentDim());
      out.printf("parameters:      %,d%n", net.parameterCount());
      out.printf("sigma range:     [%s, %s]%n", net.sigmaMin(), net.sigmaMax());
      out.printf("use_fp16:        %s%n", net.useFp16());
      out.printf("init_kwargs:     %s%n", kw);
    }
    out.printf("loss_fn:         %s%n", describe(snap.lossFn()));
    out.printf("augment_pipe:    %s%n", describe(snap.augmentPipe()));
    out.printf("dataset_kwargs:  %s%n", snap.datasetKwargs());
    if (!snap.extra().isEmpty()) {
      out.printf("extra:           %s%n", snap.extra());
    }
    out.flush();
    return 0;
  }

  private static String variant(Map<String, Object> kw) {
    if (!"SongUNet".equals(kw.getOrDefault("model_type", ""))) {
      return "";
    }
    Object emb = kw.getOrDefault("embedding_type", "positional");
    return " ("
        + ("fourier".equals(emb) ? "NCSN++" : "DDPM++")
        + ": embedding "
        + emb
        + ", encoder "
        + kw.getOrDefault("encoder_type", "standard")
        + ", decoder "
        + kw.getOrDefault("decoder_type", "standard")
        + ", resample_filter "
        + kw.getOrDefault("resample_filter", "[1, 1]")
        + ")";
  }

  private static String describe(Optional<ObjectConfig> o) {
    return o.map(p -> p.className() + " " + p.initKwargs()).orElse("none");
  }
}

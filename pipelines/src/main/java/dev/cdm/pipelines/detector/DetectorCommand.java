package dev.cdm.pipelines.detector;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.cdm.fid.MnistClassifier;
import dev.cdm.fid.MnistDetector;
import dev.cdm.fid.MnistTraining;
import dev.cdm.fid.MnistTraining.Digits;
import dev.cdm.fid.MnistTraining.Settings;
import dev.cdm.model.data.ImageArchive;
import dev.cdm.pipelines.CommandErrors;
import dev.cdm.transforms.ProgressMeter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cdm detector}: the project's own feature detector (the MNIST classifier of FID-MNIST). */
@Command(
    name = "detector",
    mixinStandardHelpOptions = true,
    description = "The MNIST classifier behind FID-MNIST (--detector=mnist).",
    subcommands = {DetectorCommand.Train.class})
public final class DetectorCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /**
   * {@code cdm detector train}: trains the MNIST classifier deterministically on the CPU (one
   * thread, fixed seed and data order) and reports its accuracy on the test digits.
   */
  @Command(
      name = "train",
      mixinStandardHelpOptions = true,
      description =
          "Train the MNIST classifier (deterministic, CPU) and write its weights as safetensors.")
  public static final class Train implements Callable<Integer> {
    @Option(
        names = "--data",
        required = true,
        paramLabel = "ZIP",
        description =
            "Training digits: 'cdm dataset' of train-images-idx3-ubyte.gz (32x32, labels).")
    Path data;

    @Option(
        names = "--test",
        required = true,
        paramLabel = "ZIP",
        description = "Test digits: 'cdm dataset' of t10k-images-idx3-ubyte.gz.")
    Path test;

    @Option(
        names = "--dest",
        required = true,
        paramLabel = "SAFETENSORS",
        description =
            "Where to write the weights (the shipped ones: "
                + "fid/src/main/resources/dev/cdm/fid/"
                + MnistDetector.RESOURCE
                + ").")
    Path dest;

    @Option(
        names = "--epochs",
        defaultValue = "3",
        description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(
        names = "--batch",
        defaultValue = "64",
        description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(
        names = "--lr",
        defaultValue = "1e-3",
        description =
            "Adam learning rate of the first epoch, halved every epoch (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(
        names = "--seed",
        defaultValue = "0",
        description = "Seed of weights and data order (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
        names = "--min-accuracy",
        defaultValue = "0.99",
        description =
            "Fail (and write nothing) below this test accuracy (default: ${DEFAULT-VALUE}).")
    double minAccuracy;

    @Override
    public Integer call() throws Exception {
      {
        if (epochs < 1 || batch < 1 || !(lr > 0)) {
          throw CommandErrors.usage("--epochs, --batch and --lr must be positive");
        }
        Digits train;
        Digits testDigits;
        try (ImageArchive a = ImageArchive.open(data);
            ImageArchive b = ImageArchive.open(test)) {
          train = Digits.read(a, "--data");
          testDigits = Digits.read(b, "--test");
        }
        Settings settings = new Settings(seed, epochs, batch, lr);
        long total = (long) train.size() * epochs;
        System.err.printf(
            Locale.ROOT,
            "Training the MNIST classifier: %d digits x %d epochs, batch %d, lr %g, seed %d%n",
            train.size(),
            epochs,
            batch,
            lr,
            seed);
        ProgressMeter meter =
            ProgressMeter.of(
                java.util.UUID.randomUUID().toString(), "detector train", "images", total);
        long t0 = System.nanoTime();
        try (NDManager root = NDManager.newBaseManager(Device.cpu())) {
          MnistClassifier net = MnistTraining.train(train, settings, root, meter::add);
          double seconds = (System.nanoTime() - t0) / 1e9;
          double accuracy;
          try (MnistDetector detector = MnistDetector.of(net, dest.toString())) {
            accuracy = MnistTraining.accuracy(detector, testDigits, 500);
            System.out.printf(
                Locale.ROOT,
                "test accuracy %.4f (%d digits), trained in %.0f s%n",
                accuracy,
                testDigits.size(),
                seconds);
            if (accuracy < minAccuracy) {
              throw new IllegalStateException(
                  String.format(
                      Locale.ROOT,
                      "test accuracy %.4f is below --min-accuracy=%s; nothing written",
                      accuracy,
                      minAccuracy));
            }
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("cdm.detector", "mnist-classifier");
            meta.put(
                "cdm.settings",
                String.format(
                    Locale.ROOT, "seed=%d epochs=%d batch=%d lr=%s", seed, epochs, batch, lr));
            meta.put("cdm.test_accuracy", String.format(Locale.ROOT, "%.4f", accuracy));
            Path parent = dest.toAbsolutePath().getParent();
            if (parent != null) {
              Files.createDirectories(parent);
            }
            net.save(dest, meta);
          }
        }
        System.err.println("Saved the classifier to " + dest + ".");
        return 0;
      }
    }
  }
}

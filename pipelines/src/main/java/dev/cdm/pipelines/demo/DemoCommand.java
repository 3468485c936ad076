package dev.cdm.pipelines.demo;

import ai.djl.Device;
import dev.cdm.fid.Detector;
import dev.cdm.model.training.KimgFileName;
import dev.cdm.pipelines.Cdm;
import dev.cdm.pipelines.CommandErrors;
import dev.cdm.pipelines.DeviceOption;
import dev.cdm.transforms.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code cdm demo}: the whole workflow on the MNIST digits shipped in the repository, within a time
 * budget.
 *
 * <pre>
 *   data/mnist ──dataset──> mnist-32x32.zip ──ref (MNIST classifier)──> mnist-ref.npz
 *                                │
 *                                ├──train --max-steps=0──> untrained/network-snapshot-000000
 *                                └──train --precond=edm, then --precond=cdm --resume (--max-minutes)──> training/network-snapshot-*
 *   every snapshot ──cdm evaluate's pipeline (samples, FID-MNIST; class accuracy, class grid)──> eval/results.jsonl
 *   eval/results.jsonl + training/stats.jsonl ──> report.html
 * </pre>
 *
 * Every step is an existing command run in this process with the demo's settings; the evaluation is
 * {@code cdm evaluate}'s ({@link DemoEvaluation}, one call site). A step whose output exists is
 * skipped, so a second run reuses the dataset, statistics and evaluations and resumes an
 * interrupted training from its last state. {@code --device} is passed on to every step; the
 * settings ({@link Settings}) follow the kind of device it names.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description =
        "The whole workflow on MNIST in a time budget: dataset, FID-MNIST reference statistics,"
            + " a small class-conditional CDM model, evaluation of every snapshot, report.html.")
public final class DemoCommand implements Callable<Integer> {
  @Option(
      names = "--outdir",
      defaultValue = "demo",
      paramLabel = "DIR",
      description = "Where everything goes (default: ${DEFAULT-VALUE}).")
  Path outdir;

  @Option(
      names = "--minutes",
      defaultValue = "15",
      paramLabel = "FLOAT",
      description = "Time budget of the whole run, in minutes (default: ${DEFAULT-VALUE}).")
  double minutes;

  @Mixin DeviceOption device = new DeviceOption();

  @Option(
      names = "--max-images",
      paramLabel = "INT",
      description = "Use only the first N training digits (quick tests; default: all 60,000).")
  Integer maxImages;

  @Option(
      names = "--mnist",
      defaultValue = "data/mnist",
      paramLabel = "DIR",
      description =
          "Folder with train-images-idx3-ubyte.gz and its labels (default: ${DEFAULT-VALUE}).")
  Path mnist;

  /**
   * The settings of one kind of device: model size, batch and learning rate, the share of the
   * training time with the CDM loss (the rest first with the EDM loss) and its chain steps, the
   * snapshot cadence, and the evaluation's size (samples, sampler steps, how many snapshots).
   */
  record Settings(
      int cbase,
      String cres,
      int numBlocks,
      int batch,
      double lr,
      double cdmShare,
      int martingaleSteps,
      double tickKimg,
      int samples,
      int samplerSteps,
      int maxEvaluated) {
    static Settings of(boolean gpu, double minutes) {
      if (gpu) {
        // One GPU, 15 minutes: the DDPM++ layout at half width and the paper's CDM loss steps
        // (6). As on the CPU, the first three quarters of the time use the EDM loss: a CDM step
        // of 6 chain steps costs about 7 EDM steps, and the network first has to learn digits.
        return new Settings(64, "1,2,2", 2, 128, 1e-3, 0.25, 6, 50, 1000, 18, 10);
      }
      // Two CPU cores: a 2-level U-Net of 16/32 channels, one block per level, learning rate 2e-3;
      // three quarters of the time with the EDM loss (measured: an image costs less than half of
      // what it costs with the CDM loss of two chain steps, so the network sees twice the images
      // while it learns digits and their classes), the last quarter with the CDM loss; a few
      // snapshots of 100 samples each (a short run: only the final one, 64 samples, the seeds of
      // the 8x8 grid).
      boolean shortRun = minutes < 10;
      return new Settings(
          16,
          "1,2",
          1,
          32,
          2e-3,
          0.25,
          2,
          shortRun ? 0.1 : 0.25,
          shortRun ? 64 : 100,
          6,
          shortRun ? 1 : 4);
    }
  }

  /** The most of the budget that evaluating training snapshots may take (it sets how many are). */
  static final double EVALUATION_SHARE = 0.2;

  @Override
  public Integer call() throws Exception {
    return run();
  }

  private int run() throws Exception {
    if (!(minutes > 0)) {
      throw CommandErrors.usage("--minutes must be positive, got " + minutes);
    }
    Path source = mnist.resolve("train-images-idx3-ubyte.gz");
    if (!Files.isRegularFile(source)) {
      throw CommandErrors.usage(
          "--mnist="
              + mnist
              + ": no train-images-idx3-ubyte.gz there"
              + " (run from the repository root, or point --mnist at the MNIST files)");
    }
    String dev = device.device;
    List<Device> devices = device.resolve();
    Settings s = Settings.of(devices.get(0).isGpu(), minutes);
    long start = System.nanoTime();
    long deadline = start + (long) (minutes * 60e9);
    startNanos = start;
    deadlineNanos = deadline;
    Files.createDirectories(outdir);
    Path zip = outdir.resolve("mnist-32x32.zip");
    Path ref = outdir.resolve("mnist-ref-fid-mnist.npz");
    Path untrainedDir = outdir.resolve("untrained");
    Path trainDir = outdir.resolve("training");
    Path evalDir = outdir.resolve("eval");
    Files.createDirectories(evalDir);

    phase(1, "dataset " + zip);
    if (!Files.isRegularFile(zip)) {
      List<String> args =
          new ArrayList<>(List.of("dataset", "--source=" + source, "--dest=" + zip));
      if (maxImages != null) {
        args.add("--max-images=" + maxImages);
      }
      command(args.toArray(new String[0]));
    } else {
      say("  reusing " + zip);
    }

    phase(2, "FID-MNIST reference statistics " + ref);
    if (!Files.isRegularFile(ref)) {
      command(
          "ref",
          "--data=" + zip,
          "--dest=" + ref,
          "--detector=" + Detector.MNIST,
          "--device=" + dev,
          "--batch=500");
    } else {
      say("  reusing " + ref);
    }

    DemoEvaluation evaluation =
        new DemoEvaluation(evalDir, ref, s.samples(), s.samplerSteps(), dev, DemoCommand::say);
    phase(3, "the untrained network (the FID-MNIST ceiling)");
    Path untrained = latest(untrainedDir, "network-snapshot-");
    if (untrained == null) {
      train(s, zip, untrainedDir, "cdm", "--max-steps=0", "--duration=1000");
      untrained = latest(untrainedDir, "network-snapshot-");
    }
    long e0 = System.nanoTime();
    SnapshotScore ceiling = evaluation.evaluate(untrained, "untrained", -1);
    double evalSeconds = (System.nanoTime() - e0) / 1e9;
    if (evalSeconds < 1) { // reused: the time it took then
      evalSeconds = ceiling.seconds();
    }
    say(
        String.format(
            Locale.ROOT,
            "  untrained: FID-MNIST %.2f, class accuracy %.1f%% (%.0f s)",
            ceiling.fidMnist(),
            100 * ceiling.accuracy(),
            ceiling.seconds()));

    // Evaluations take at most a fifth of the budget, but two snapshots (one halfway and the
    // final one) are evaluated even on a slow machine, to show FID-MNIST falling during training.
    int evaluated =
        Math.max(
            Math.min(2, s.maxEvaluated()),
            Math.min(s.maxEvaluated(), (int) (EVALUATION_SHARE * minutes * 60 / evalSeconds)));
    phase(4, "training a class-conditional CDM model (" + trainDir + ")");
    train(s, zip, trainDir, evalSeconds * evaluated);

    List<Path> snapshots = chooseSnapshots(trainDir, evaluated);
    phase(
        5,
        "evaluating "
            + snapshots.size()
            + " snapshot(s): "
            + evaluation.imagesPerSnapshot()
            + " samples each, FID-MNIST and class accuracy");
    List<SnapshotScore> results = new ArrayList<>();
    results.add(ceiling);
    for (Path snap : snapshots) {
      double kimg = snapshotName(snap).kimg();
      String name = snap.getFileName().toString().replace(".safetensors", "");
      SnapshotScore r = evaluation.evaluate(snap, name, kimg);
      say(
          String.format(
              Locale.ROOT,
              "  %s: FID-MNIST %.2f, class accuracy %.1f%% (%.0f s)",
              name,
              r.fidMnist(),
              100 * r.accuracy(),
              r.seconds()));
      results.add(r);
    }

    phase(6, "report");
    Path report = outdir.resolve("report.html");
    DemoReport.write(
        report,
        results,
        trainDir.resolve("stats.jsonl"),
        s,
        minutes,
        (System.nanoTime() - start) / 60e9,
        dev);
    SnapshotScore last = results.get(results.size() - 1);
    say(
        String.format(
            Locale.ROOT,
            "FID-MNIST %.2f -> %.2f (untrained -> %s), class accuracy %.1f%% (chance 10%%)",
            ceiling.fidMnist(),
            last.fidMnist(),
            last.snapshot(),
            100 * last.accuracy()));
    say("Report: " + report.toAbsolutePath());
    say(String.format(Locale.ROOT, "Total %.1f min.", (System.nanoTime() - start) / 60e9));
    return 0;
  }

  /**
   * The training, in two stages into one run directory: the EDM loss for the first {@code 1 -
   * cdmShare} of the time (cheap steps: the network learns digits and their classes), then the CDM
   * loss from that state for the rest. The time is what is left of the budget, less the evaluation
   * of the snapshots ({@code evalReserve} seconds) and the report. With less than a minute left, a
   * fixed minimum instead: 24 EDM steps, then CDM to 1 kimg (overrunning the budget on a slow or
   * busy machine rather than showing nothing). {@code EDM-DONE} and {@code DONE} mark the finished
   * stages; an interrupted stage resumes from its last state.
   */
  private void train(Settings s, Path zip, Path trainDir, double evalReserve) throws IOException {
    Path done = trainDir.resolve("DONE");
    if (Files.isRegularFile(done)) {
      say("  reusing " + trainDir);
      return;
    }
    Path edmDone = trainDir.resolve("EDM-DONE");
    double trainMinutes = minutesLeft() - evalReserve / 60 - 0.3;
    boolean minimum = trainMinutes < 1;
    say(
        minimum
            ? "  budget spent: training the minimum of 1 kimg"
            : String.format(
                Locale.ROOT,
                "  budget: %.1f min of training, %.0f%% of it with the CDM loss"
                    + " (%.0f s kept for evaluating the snapshots)",
                trainMinutes,
                100 * s.cdmShare(),
                evalReserve));
    if (s.cdmShare() < 1 && !Files.isRegularFile(edmDone)) {
      say("  stage 1: EDM loss");
      train(
          s,
          zip,
          trainDir,
          "edm",
          minimum
              ? "--max-steps=24"
              : String.format(
                  Locale.ROOT, "--max-minutes=%.3f", trainMinutes * (1 - s.cdmShare())));
      AtomicFiles.write(
          edmDone.toString(), "EDM stage finished\n".getBytes(StandardCharsets.UTF_8));
    }
    say("  stage 2: CDM loss");
    double cdmMinutes = minutesLeft() - evalReserve / 60 - 0.3;
    train(
        s,
        zip,
        trainDir,
        "cdm",
        minimum
            ? "--duration=0.001"
            : String.format(
                Locale.ROOT, "--max-minutes=%.3f", Math.max(cdmMinutes, MIN_CDM_MINUTES)));
    AtomicFiles.write(done.toString(), "training finished\n".getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The least time the CDM stage gets, even when the EDM stage or a busy machine used up the
   * budget.
   */
  private static final double MIN_CDM_MINUTES = 0.5;

  private double minutesLeft() {
    return (deadlineNanos - System.nanoTime()) / 60e9;
  }

  /**
   * One {@code cdm train} run of the demo's model with {@code precond}'s loss, resuming the latest
   * state.
   */
  private void train(Settings s, Path zip, Path dir, String precond, String limit)
      throws IOException {
    Path state = latest(dir, "training-state-");
    List<String> extra = new ArrayList<>(List.of(limit));
    if (state != null) {
      say("  resuming from " + state);
      extra.add("--resume=" + state);
    }
    if (!limit.startsWith("--duration=")) {
      extra.add("--duration=1000"); // the time or step limit ends it
    }
    train(s, zip, dir, precond, extra.toArray(new String[0]));
  }

  /** {@code cdm train} with the demo's model and loss settings, into {@code dir}. */
  private void train(Settings s, Path zip, Path dir, String precond, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "train",
                "--outdir=" + dir,
                "--nosubdir",
                "--data=" + zip,
                "--cond=1",
                "--arch=ddpmpp",
                "--precond=" + precond,
                "--cbase=" + s.cbase(),
                "--cres=" + s.cres(),
                "--num-blocks=" + s.numBlocks(),
                "--batch=" + s.batch(),
                "--dropout=0",
                "--augment=0",
                "--martingale_steps=" + s.martingaleSteps(),
                String.format(Locale.ROOT, "--lr=%s", s.lr()),
                "--lr-rampup=0.25",
                String.format(Locale.ROOT, "--tick=%s", s.tickKimg()),
                "--snap=1",
                "--dump=1",
                "--seed=0",
                "--device=" + device.device));
    args.addAll(List.of(extra));
    command(args.toArray(new String[0]));
  }

  /** Runs a {@code cdm} subcommand in this process; a failure ends the demo naming the step. */
  private static void command(String... args) {
    say("  cdm " + String.join(" ", args));
    int rc = Cdm.commandLine().execute(args);
    if (rc != 0) {
      throw new IllegalStateException(
          "step 'cdm " + args[0] + "' failed (exit " + rc + "); see above");
    }
  }

  /** The name of our network snapshot {@code p} ({@code .safetensors}), or null when not one. */
  private static KimgFileName snapshotName(Path p) {
    KimgFileName n = KimgFileName.parse(p.getFileName().toString());
    return n != null && n.isNetworkSnapshot() && n.extension().equals(".safetensors") ? n : null;
  }

  /** The final snapshot and evenly spaced earlier ones, at most {@code max}, in kimg order. */
  static List<Path> chooseSnapshots(Path dir, int max) throws IOException {
    List<Path> all = new ArrayList<>();
    if (Files.isDirectory(dir)) {
      try (Stream<Path> s = Files.list(dir)) {
        s.filter(p -> snapshotName(p) != null)
            .sorted(
                java.util.Comparator.comparingDouble((Path p) -> snapshotName(p).kimg())
                    .thenComparing(Path::getFileName))
            .forEach(all::add);
      }
    }
    if (all.size() <= max) {
      return all;
    }
    List<Path> out = new ArrayList<>();
    for (int i = 0; i < max; i++) {
      Path p = all.get((int) Math.round((all.size() - 1) * (double) (i + 1) / max));
      if (!out.contains(p)) {
        out.add(p);
      }
    }
    return out;
  }

  private static Path latest(Path dir, String prefix) throws IOException {
    if (!Files.isDirectory(dir)) {
      return null;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(
              p ->
                  p.getFileName().toString().startsWith(prefix)
                      && p.getFileName().toString().endsWith(".safetensors"))
          .sorted()
          .reduce((a, b) -> b)
          .orElse(null);
    }
  }

  private long startNanos = System.nanoTime();
  private long deadlineNanos;

  /** The phase line, with the time used and what is left of the budget. */
  private void phase(int n, String what) {
    long now = System.nanoTime();
    say(
        String.format(
            Locale.ROOT,
            "[demo %d/6, %.1f min in, %.1f min of the budget left] %s",
            n,
            (now - startNanos) / 60e9,
            Math.max(0, deadlineNanos - now) / 60e9,
            what));
  }

  private static void say(String line) {
    System.out.println(line);
    System.out.flush();
  }
}

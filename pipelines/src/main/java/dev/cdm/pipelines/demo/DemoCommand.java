package dev.cdm.pipelines.demo;

import ai.djl.Device;
import dev.cdm.fid.Detector;
import dev.cdm.fid.GaussianStatistics;
import dev.cdm.fid.MnistDetector;
import dev.cdm.model.sampling.SamplerSpec;
import dev.cdm.pipelines.Cdm;
import dev.cdm.pipelines.CommandErrors;
import dev.cdm.transforms.io.AtomicFiles;
import dev.cdm.transforms.ProgressMeter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cdm demo}: the whole workflow on the MNIST digits shipped in the repository, within a
 * time budget.
 *
 * <pre>
 *   data/mnist ──dataset──> mnist-32x32.zip ──ref (MNIST classifier)──> mnist-ref.npz
 *                                │
 *                                ├──train --max-steps=0──> untrained/network-snapshot-000000
 *                                └──train --precond=cdm --max-minutes──> training/network-snapshot-*
 *   every snapshot ──evaluate (generate per class, FID-MNIST, class accuracy, grid)──> eval/*.json
 *   eval/*.json + training/stats.jsonl ──> report.html
 * </pre>
 *
 * Every step is an existing command run in this process with the demo's settings, except the
 * evaluation ({@link SnapshotEvaluation}, one call site). A step whose output exists is skipped,
 * so a second run reuses the dataset, statistics and evaluations and resumes an interrupted
 * training from its last state.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "The whole workflow on MNIST in a time budget: dataset, FID-MNIST reference statistics,"
        + " a small class-conditional CDM model, evaluation of every snapshot, report.html.")
public final class DemoCommand implements Callable<Integer> {
  @Option(names = "--outdir", defaultValue = "demo", paramLabel = "DIR",
      description = "Where everything goes (default: ${DEFAULT-VALUE}).")
  Path outdir;

  @Option(names = "--minutes", defaultValue = "15", paramLabel = "FLOAT",
      description = "Time budget of the whole run, in minutes (default: ${DEFAULT-VALUE}).")
  double minutes;

  @Option(names = "--device", defaultValue = "cpu", paramLabel = "cpu|gpu",
      description = "Where to train and evaluate (default: ${DEFAULT-VALUE}).")
  String device;

  @Option(names = "--max-images", paramLabel = "INT",
      description = "Use only the first N training digits (quick tests; default: all 60,000).")
  Integer maxImages;

  @Option(names = "--mnist", defaultValue = "data/mnist", paramLabel = "DIR",
      description = "Folder with train-images-idx3-ubyte.gz and its labels (default: ${DEFAULT-VALUE}).")
  Path mnist;

  /** The settings of one device: model size, CDM loss steps, snapshot cadence, evaluation size. */
  record Settings(int cbase, String cres, int numBlocks, int batch, int martingaleSteps,
      double tickKimg, int perClass, int samplerSteps, int maxEvaluated) {
    static Settings of(String device, double minutes) {
      if (device.equals("gpu")) {
        // One GPU, 15 minutes: the DDPM++ layout at half width, the paper's CDM loss steps.
        return new Settings(64, "1,2,2", 2, 128, 6, 20, 100, 18, 10);
      }
      // Two CPU cores: a 2-level U-Net of 16/32 channels, one block per level, two CDM chain
      // steps; a few snapshots of 100 samples each (a short run: only the final one, 40 samples).
      boolean shortRun = minutes < 10;
      return new Settings(16, "1,2", 1, 32, 2, shortRun ? 0.1 : 0.25, shortRun ? 4 : 10, 6, shortRun ? 1 : 4);
    }
  }

  private static final Pattern SNAPSHOT = Pattern.compile("network-snapshot-(\\d+(?:\\.\\d+)?)\\.safetensors");

  @Override
  public Integer call() throws Exception {
    return run();
  }

  private int run() throws Exception {
    String dev = device.toLowerCase(Locale.ROOT);
    if (!dev.equals("cpu") && !dev.equals("gpu")) {
      throw new IllegalArgumentException("--device must be cpu or gpu, got '" + device + "'");
    }
    if (!(minutes > 0)) {
      throw new IllegalArgumentException("--minutes must be positive, got " + minutes);
    }
    Path source = mnist.resolve("train-images-idx3-ubyte.gz");
    if (!Files.isRegularFile(source)) {
      throw new IllegalArgumentException("--mnist=" + mnist + ": no train-images-idx3-ubyte.gz there"
          + " (run from the repository root, or point --mnist at the MNIST files)");
    }
    Settings s = Settings.of(dev, minutes);
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
      List<String> args = new ArrayList<>(List.of("dataset", "--source=" + source, "--dest=" + zip));
      if (maxImages != null) {
        args.add("--max-images=" + maxImages);
      }
      command(args.toArray(new String[0]));
    } else {
      say("  reusing " + zip);
    }

    phase(2, "FID-MNIST reference statistics " + ref);
    if (!Files.isRegularFile(ref)) {
      command("ref", "--data=" + zip, "--dest=" + ref, "--detector=" + Detector.MNIST, "--device=" + dev,
          "--batch=500");
    } else {
      say("  reusing " + ref);
    }

    SnapshotEvaluation evaluation = new SnapshotEvaluation(s.perClass(), 10, 100,
        SamplerSpec.builder().numSteps(s.samplerSteps()).build(), dev.equals("gpu") ? Device.gpu() : Device.cpu());
    GaussianStatistics reference = GaussianStatistics.read(ref);
    try (MnistDetector detector = MnistDetector.builtIn(dev.equals("gpu") ? Device.gpu() : Device.cpu())) {
      phase(3, "the untrained network (the FID-MNIST ceiling)");
      Path untrained = latest(untrainedDir, "network-snapshot-");
      if (untrained == null) {
        train(s, zip, untrainedDir, "--max-steps=0");
        untrained = latest(untrainedDir, "network-snapshot-");
      }
      long e0 = System.nanoTime();
      SnapshotEvaluation.Result ceiling =
          evaluateOnce(evaluation, untrained, "untrained", -1, reference, detector, evalDir);
      double evalSeconds = ceiling.seconds() > 0 ? ceiling.seconds() : (System.nanoTime() - e0) / 1e9;

      phase(4, "training a class-conditional CDM model (" + trainDir + ")");
      Path done = trainDir.resolve("DONE");
      if (!Files.isRegularFile(done)) {
        // What is left of the budget, less the evaluation of the expected snapshots and the report.
        double left = (deadline - System.nanoTime()) / 60e9;
        double trainMinutes = left - evalSeconds * s.maxEvaluated() / 60 - 0.3;
        List<String> extra = new ArrayList<>();
        if (trainMinutes >= 1) {
          extra.add(String.format(Locale.ROOT, "--max-minutes=%.3f", trainMinutes));
        } else {
          // The budget is (nearly) spent: a fixed minimum of work instead, whatever the machine's speed.
          trainMinutes = 0;
          extra.add("--duration=0.001");
        }
        Path state = latest(trainDir, "training-state-");
        if (state != null) {
          say("  resuming from " + state);
          extra.add("--resume=" + state);
        }
        say(trainMinutes > 0
            ? String.format(Locale.ROOT, "  budget: %.1f min of training (evaluating one snapshot took %.0f s)",
                trainMinutes, evalSeconds)
            : "  budget spent: training the minimum of 1 kimg");
        train(s, zip, trainDir, extra.toArray(new String[0]));
        AtomicFiles.write(done.toString(), "training finished\n".getBytes(StandardCharsets.UTF_8));
      } else {
        say("  reusing " + trainDir);
      }

      List<Path> snapshots = chooseSnapshots(trainDir, s.maxEvaluated());
      phase(5, "evaluating " + snapshots.size() + " snapshot(s): " + evaluation.imagesPerSnapshot(10)
          + " samples each, FID-MNIST and class accuracy");
      List<SnapshotEvaluation.Result> results = new ArrayList<>();
      results.add(ceiling);
      for (Path snap : snapshots) {
        Matcher m = SNAPSHOT.matcher(snap.getFileName().toString());
        m.matches();
        double kimg = Double.parseDouble(m.group(1));
        results.add(evaluateOnce(evaluation, snap, snap.getFileName().toString().replace(".safetensors", ""),
            kimg, reference, detector, evalDir));
      }

      phase(6, "report");
      Path report = outdir.resolve("report.html");
      DemoReport.write(report, results, trainDir.resolve("stats.jsonl"), s, minutes,
          (System.nanoTime() - start) / 60e9, dev);
      SnapshotEvaluation.Result last = results.get(results.size() - 1);
      say(String.format(Locale.ROOT, "FID-MNIST %.2f -> %.2f (untrained -> %s), class accuracy %.1f%% (chance 10%%)",
          ceiling.fidMnist(), last.fidMnist(), last.snapshot(), 100 * last.accuracy()));
      say("Report: " + report.toAbsolutePath());
      say(String.format(Locale.ROOT, "Total %.1f min.", (System.nanoTime() - start) / 60e9));
    }
    return 0;
  }

  /** Evaluates a snapshot unless {@code eval/<name>.json} exists; the only evaluation call site. */
  private SnapshotEvaluation.Result evaluateOnce(SnapshotEvaluation evaluation, Path snapshot, String name,
      double kimg, GaussianStatistics reference, MnistDetector detector, Path evalDir) throws IOException {
    Path json = evalDir.resolve(name + ".json");
    if (Files.isRegularFile(json)) {
      say("  reusing " + json);
      return SnapshotEvaluation.Result.read(json);
    }
    ProgressMeter meter = ProgressMeter.of(java.util.UUID.randomUUID().toString(), "evaluate " + name, "images", evaluation.imagesPerSnapshot(10));
    SnapshotEvaluation.Result r = evaluation.evaluate(snapshot, kimg, reference, detector,
        evalDir.resolve(name + ".png"), meter::add);
    AtomicFiles.write(json.toString(), r.toJson().getBytes(StandardCharsets.UTF_8));
    say(String.format(Locale.ROOT, "  %s: FID-MNIST %.2f, class accuracy %.1f%% (%.0f s)",
        name, r.fidMnist(), 100 * r.accuracy(), r.seconds()));
    return r;
  }

  /** {@code cdm train} with the demo's model and loss settings, into {@code dir}. */
  private void train(Settings s, Path zip, Path dir, String... extra) {
    List<String> args = new ArrayList<>(List.of("train", "--outdir=" + dir, "--nosubdir", "--data=" + zip,
        "--cond=1", "--arch=ddpmpp", "--precond=cdm", "--cbase=" + s.cbase(), "--cres=" + s.cres(),
        "--num-blocks=" + s.numBlocks(), "--batch=" + s.batch(), "--dropout=0", "--augment=0",
        "--martingale_steps=" + s.martingaleSteps(), "--lr-rampup=0.25",
        String.format(Locale.ROOT, "--tick=%s", s.tickKimg()), "--snap=1", "--dump=1", "--seed=0",
        "--device=" + (device.equalsIgnoreCase("gpu") ? "gpu:0" : "cpu")));
    args.addAll(List.of(extra));
    if (args.stream().noneMatch(a -> a.startsWith("--duration="))) {
      args.add("--duration=1000"); // the time limit ends it
    }
    command(args.toArray(new String[0]));
  }

  /** Runs a {@code cdm} subcommand in this process; a failure ends the demo naming the step. */
  private static void command(String... args) {
    say("  cdm " + String.join(" ", args));
    int rc = Cdm.commandLine().execute(args);
    if (rc != 0) {
      throw new IllegalStateException("step 'cdm " + args[0] + "' failed (exit " + rc + "); see above");
    }
  }

  /** The final snapshot and evenly spaced earlier ones, at most {@code max}, in kimg order. */
  static List<Path> chooseSnapshots(Path dir, int max) throws IOException {
    List<Path> all = new ArrayList<>();
    if (Files.isDirectory(dir)) {
      try (Stream<Path> s = Files.list(dir)) {
        s.filter(p -> SNAPSHOT.matcher(p.getFileName().toString()).matches()).sorted().forEach(all::add);
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
      return s.filter(p -> p.getFileName().toString().startsWith(prefix)
              && p.getFileName().toString().endsWith(".safetensors"))
          .sorted().reduce((a, b) -> b).orElse(null);
    }
  }

  private long startNanos = System.nanoTime();
  private long deadlineNanos;

  /** The phase line, with the time used and what is left of the budget. */
  private void phase(int n, String what) {
    long now = System.nanoTime();
    say(String.format(Locale.ROOT, "[demo %d/6, %.1f min in, %.1f min of the budget left] %s", n,
        (now - startNanos) / 60e9, Math.max(0, deadlineNanos - now) / 60e9, what));
  }

  private static void say(String line) {
    System.out.println(line);
    System.out.flush();
  }
}

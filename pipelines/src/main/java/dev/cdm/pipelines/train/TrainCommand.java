package dev.cdm.pipelines.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.cdm.model.data.ImageArchive;
import dev.cdm.model.io.NetworkLoader;
import dev.cdm.model.io.ObjectConfig;
import dev.cdm.model.io.Sources;
import dev.cdm.model.precond.Precond;
import dev.cdm.model.training.ArtefactListener;
import dev.cdm.model.training.KimgFileName;
import dev.cdm.model.training.NetworkFactory;
import dev.cdm.model.training.PrecondNetworks;
import dev.cdm.model.training.TrainingConfig;
import dev.cdm.model.training.TrainingLog;
import dev.cdm.model.training.TrainingLoop;
import dev.cdm.model.training.TrainingSet;
import dev.cdm.model.training.TrainingState;
import dev.cdm.pipelines.Cdm;
import dev.cdm.pipelines.CommandErrors;
import dev.cdm.pipelines.DeviceOption;
import dev.cdm.pipelines.evaluate.EvaluationProcess;
import dev.cdm.transforms.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code cdm train}: the reference's {@code train.py} (flags, defaults, run directory naming,
 * training_options.json, log.txt, stats.jsonl, snapshots, state dumps, --transfer, --resume,
 * --dry-run), data parallel over the devices of this host, plus {@code --template=NAME} for the
 * paper's runs.
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Train a diffusion model with the EDM design space and the CDM consistency loss.",
      "Example: cdm train --outdir=training-runs --data=datasets/cifar10-32x32.zip --cond=1 --arch=ddpmpp",
      "         cdm train --template=cifar10-32x32-cond-vp --data=datasets/cifar10-32x32.zip --outdir=runs --batch-gpu=32"
    })
public final class TrainCommand implements Callable<Integer> {
  /** How often a remote run's evaluate-log.txt is published while the last evaluations run. */
  private static final long EVALUATE_LOG_MILLIS = 30_000;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--template",
      paramLabel = "NAME|FILE",
      description =
          "Start from a named run configuration (templates/NAME.args); other flags override it.")
  String template;

  @Option(
      names = "--outdir",
      required = true,
      paramLabel = "DIR",
      description =
          "Where to save the results: a local folder, or gs:// (any Beam file system), where each"
              + " file is published as it is finished (staged in the cache, $CDM_CACHE/runs)")
  String outdir;

  @Option(
      names = "--data",
      required = true,
      paramLabel = "ZIP|DIR",
      description =
          "Path to the dataset; a ZIP may be on gs:// (or any Beam file system): it is"
              + " downloaded once into the cache ($CDM_CACHE)")
  String data;

  /** {@code --data} on this machine: the path given, or the cache's copy of a remote ZIP. */
  private Path localData;

  @Option(
      names = "--cond",
      paramLabel = "BOOL",
      arity = "1",
      converter = Bool.class,
      description = "Train class-conditional model (default: ${DEFAULT-VALUE})")
  boolean cond = false;

  @Option(
      names = "--arch",
      paramLabel = "ddpmpp|ncsnpp|adm",
      description = "Network architecture (default: ${DEFAULT-VALUE})")
  String arch = "ddpmpp";

  @Option(
      names = "--precond",
      paramLabel = "vp|ve|edm|cdm",
      description = "Preconditioning & loss function (default: ${DEFAULT-VALUE})")
  String precond = "cdm";

  @Option(
      names = "--duration",
      paramLabel = "MIMG",
      description = "Training duration (default: ${DEFAULT-VALUE})")
  double duration = 200;

  @Option(
      names = "--batch",
      paramLabel = "INT",
      description = "Total batch size (default: ${DEFAULT-VALUE})")
  int batch = 512;

  @Option(names = "--batch-gpu", paramLabel = "INT", description = "Limit batch size per GPU")
  Integer batchGpu;

  @Option(
      names = "--cbase",
      paramLabel = "INT",
      description = "Channel multiplier (default: varies)")
  Integer cbase;

  @Option(
      names = "--cres",
      paramLabel = "LIST",
      description = "Channels per resolution (default: varies)")
  String cres;

  @Option(
      names = "--lr",
      paramLabel = "FLOAT",
      description = "Learning rate (default: ${DEFAULT-VALUE})")
  double lr = 10e-4;

  @Option(
      names = "--ema",
      paramLabel = "MIMG",
      description = "EMA half-life (default: ${DEFAULT-VALUE})")
  double ema = 0.5;

  @Option(
      names = "--dropout",
      paramLabel = "FLOAT",
      description = "Dropout probability (default: ${DEFAULT-VALUE})")
  double dropout = 0.13;

  @Option(
      names = "--augment",
      paramLabel = "FLOAT",
      description = "Augment probability (default: ${DEFAULT-VALUE})")
  double augment = 0.12;

  @Option(
      names = {"--S_churn", "--s-churn"},
      paramLabel = "FLOAT",
      description = "Amount of stochasticity (default: ${DEFAULT-VALUE})")
  double sChurn = 10.0;

  @Option(
      names = {"--S_min", "--s-min"},
      paramLabel = "FLOAT",
      description = "Saturation lower bound (default: ${DEFAULT-VALUE})")
  double sMin = 0.01;

  @Option(
      names = {"--S_max", "--s-max"},
      paramLabel = "FLOAT",
      description = "Saturation upper bound (default: ${DEFAULT-VALUE})")
  double sMax = 1.0;

  @Option(
      names = {"--S_noise", "--s-noise"},
      paramLabel = "FLOAT",
      description = "S_noise (default: ${DEFAULT-VALUE})")
  double sNoise = 1.007;

  @Option(
      names = {"--martingale_lambda", "--martingale-lambda"},
      paramLabel = "FLOAT",
      description = "Coefficient for martingale term (default: ${DEFAULT-VALUE})")
  double martingaleLambda = 10.0;

  @Option(
      names = {"--martingale_steps", "--martingale-steps"},
      paramLabel = "INT",
      description = "Number of steps to run backward sampler for (default: ${DEFAULT-VALUE})")
  int martingaleSteps = 6;

  @Option(
      names = "--xflip",
      paramLabel = "BOOL",
      arity = "1",
      converter = Bool.class,
      description = "Enable dataset x-flips (default: ${DEFAULT-VALUE})")
  boolean xflip = false;

  @Option(
      names = "--fp16",
      paramLabel = "BOOL",
      arity = "1",
      converter = Bool.class,
      description = "Enable mixed-precision training (default: ${DEFAULT-VALUE})")
  boolean fp16 = false;

  @Option(
      names = "--chain-fp16",
      paramLabel = "BOOL",
      arity = "1",
      converter = Bool.class,
      description =
          "Run CDM's no-grad backward-SDE chains in fp16 on the GPU (default: ${DEFAULT-VALUE})")
  boolean chainFp16 = false;

  @Option(
      names = "--ls",
      paramLabel = "FLOAT",
      description = "Loss scaling (default: ${DEFAULT-VALUE})")
  double ls = 1;

  @Option(
      names = "--bench",
      paramLabel = "BOOL",
      arity = "1",
      converter = Bool.class,
      description = "Enable cuDNN benchmarking (default: ${DEFAULT-VALUE}; recorded only)")
  boolean bench = true;

  @Option(
      names = "--cache",
      paramLabel = "BOOL",
      arity = "1",
      converter = Bool.class,
      description = "Cache dataset in CPU memory (default: ${DEFAULT-VALUE})")
  boolean cache = true;

  @Option(
      names = "--workers",
      paramLabel = "INT",
      description = "Data loader threads (default: ${DEFAULT-VALUE})")
  int workers = 1;

  @Option(
      names = "--desc",
      paramLabel = "STR",
      description = "String to include in result dir name")
  String desc;

  @Option(names = "--nosubdir", description = "Do not create a subdirectory for results")
  boolean nosubdir;

  @Option(
      names = "--tick",
      paramLabel = "KIMG",
      description = "How often to print progress (default: ${DEFAULT-VALUE}; fractions allowed)")
  double tick = 50;

  @Option(
      names = "--snap",
      paramLabel = "TICKS",
      description = "How often to save snapshots (default: ${DEFAULT-VALUE})")
  int snap = 50;

  @Option(
      names = "--dump",
      paramLabel = "TICKS",
      description = "How often to dump state (default: ${DEFAULT-VALUE})")
  int dump = 500;

  @Option(names = "--seed", paramLabel = "INT", description = "Random seed (default: random)")
  Long seed;

  @Option(
      names = "--transfer",
      paramLabel = "PKL|SAFETENSORS",
      description = "Transfer learning from network snapshot (reference .pkl or ours)")
  String transfer;

  @Option(
      names = "--resume",
      paramLabel = "STATE",
      description =
          "Resume from previous training state (training-state-NNNNNN.safetensors, also on gs://,"
              + " or the reference's local training-state-NNNNNN.pt with"
              + " network-snapshot-NNNNNN.pkl beside it)")
  String resume;

  /** {@code --resume} on this machine: the path given, or the cache's copy of a remote state. */
  private Path localResume;

  /**
   * Data parallel training over every device this names (auto: every GPU of the host, else the
   * CPU).
   */
  @Mixin DeviceOption device;

  @Option(
      names = "--max-steps",
      hidden = true,
      paramLabel = "INT",
      description = "Stop after this many optimizer steps (smoke tests and benchmarks)")
  Long maxSteps;

  @Option(
      names = "--evaluate",
      paramLabel = "NPZ",
      description =
          "Evaluate every snapshot beside the training against these reference statistics (cdm evaluate --watch in its own process; log in evaluate-log.txt)")
  String evaluate;

  @Option(
      names = "--evaluate-flags",
      paramLabel = "FLAGS",
      description = "Flags for that evaluation, e.g. \"--num=10000 --repeats=1 --device=gpu:1\"")
  String evaluateFlags;

  @Option(
      names = {"--lr_rampup", "--lr-rampup"},
      paramLabel = "KIMG",
      description =
          "Learning rate ramp-up (the reference's lr_rampup_kimg; default: ${DEFAULT-VALUE})")
  double lrRampup = 10000;

  @Option(
      names = "--num-blocks",
      paramLabel = "INT",
      description =
          "Residual blocks per resolution (num_blocks) (default: 4 for ddpmpp/ncsnpp, 3 for adm)")
  Integer numBlocks;

  @Option(
      names = "--max-minutes",
      paramLabel = "FLOAT",
      description =
          "Stop after this much training time in this process (writes the last snapshot and state)")
  Double maxMinutes;

  @Option(
      names = {"-n", "--dry-run"},
      description = "Print training options and exit")
  boolean dryRun;

  /** click's BOOL: 1/0, true/false, yes/no, on/off. */
  public static final class Bool implements CommandLine.ITypeConverter<Boolean> {
    @Override
    public Boolean convert(String v) {
      switch (v.trim().toLowerCase()) {
        case "1":
        case "true":
        case "t":
        case "yes":
        case "y":
        case "on":
          return true;
        case "0":
        case "false":
        case "f":
        case "no":
        case "n":
        case "off":
          return false;
        default:
          throw new CommandLine.TypeConversionException(
              "'" + v + "' is not a valid boolean (use 1/0, true/false, yes/no)");
      }
    }
  }

  @Override
  public Integer call() throws Exception {
    if (template != null) {
      return reparseWithTemplate();
    }
    return train(line -> System.out.println(line));
  }

  /** Re-runs the command with the template's flags first and the user's flags after (they win). */
  private Integer reparseWithTemplate() throws IOException {
    List<String> args = new ArrayList<>(Templates.load(template));
    List<String> user = spec.commandLine().getParseResult().originalArgs();
    // originalArgs holds the whole command line; the user's train flags follow the subcommand name.
    int from = user.indexOf(spec.name()) + 1;
    for (int i = from; i < user.size(); i++) {
      String a = user.get(i);
      if (a.equals("--template")) {
        i++;
      } else if (!a.startsWith("--template=")) {
        args.add(a);
      }
    }
    args.add(0, spec.name());
    CommandLine cl = Cdm.commandLine();
    cl.getSubcommands().get(spec.name()).setOverwrittenOptionsAllowed(true);
    cl.setOut(spec.commandLine().getOut());
    cl.setErr(spec.commandLine().getErr());
    return cl.execute(args.toArray(new String[0]));
  }

  static List<Integer> parseIntList(String s) {
    List<Integer> out = new ArrayList<>();
    Pattern range = Pattern.compile("^(\\d+)-(\\d+)$");
    for (String p : s.split(",")) {
      Matcher m = range.matcher(p.trim());
      if (m.matches()) {
        for (int i = Integer.parseInt(m.group(1)); i <= Integer.parseInt(m.group(2)); i++) {
          out.add(i);
        }
      } else {
        try {
          out.add(Integer.parseInt(p.trim()));
        } catch (NumberFormatException e) {
          throw new CommandLine.ParameterException(
              new CommandLine(new TrainCommand()),
              "--cres: '" + s + "' is not a list of integers (e.g. 1,2,2,2 or 1-3)");
        }
      }
    }
    return out;
  }

  private CommandLine.ParameterException bad(String msg) {
    return new CommandLine.ParameterException(spec.commandLine(), msg);
  }

  /** Flags → {@link TrainingConfig} → printed options → (unless a dry run) the training. */
  Integer train(Consumer<String> print) throws Exception {
    checkFlags();
    List<Device> devs = device.resolve();
    checkBatchSplit(devs.size());
    TrainingConfig config = config(devs.size());
    String json = config.optionsJson();
    printOptions(print, config, json, devs);
    if (dryRun) {
      print.accept("Dry run; exiting.");
      return 0;
    }
    return run(config, json, devs, print);
  }

  /** The checks of flags on their own (before any file is read). */
  private void checkFlags() {
    for (String[] v :
        new String[][] {
          {"--arch", arch, "ddpmpp|ncsnpp|adm"}, {"--precond", precond, "vp|ve|edm|cdm"}
        }) {
      if (!("|" + v[2] + "|").contains("|" + v[1] + "|")) {
        throw bad(v[0] + " must be one of " + v[2] + ", got '" + v[1] + "'");
      }
    }
    if (augment < 0 || augment > 1 || dropout < 0 || dropout > 1) {
      throw bad("--augment and --dropout must be in [0, 1]");
    }
    if (batch < 1
        || (batchGpu != null && batchGpu < 1)
        || !(tick > 0)
        || snap < 1
        || dump < 1
        || workers < 1) {
      throw bad(
          "--batch, --batch-gpu, --snap, --dump and --workers must be at least 1, --tick above 0");
    }
    if (precond.equals("cdm") && !(martingaleLambda > 0)) {
      throw bad("--precond=cdm needs --martingale_lambda > 0");
    }
  }

  /** The reference's split of --batch: batch_gpu per device, accumulation rounds, devices. */
  private void checkBatchSplit(int world) {
    int perDevice = batch / world;
    int bg = batchGpu == null || batchGpu > perDevice ? perDevice : batchGpu;
    if (perDevice < 1 || batch % world != 0 || perDevice % bg != 0) {
      throw bad(
          "--batch="
              + batch
              + " must be a multiple of --batch-gpu="
              + bg
              + " x "
              + world
              + " device"
              + (world == 1 ? "" : "s")
              + " (--device="
              + device
              + ")");
    }
  }

  /**
   * The run these flags describe: the dataset probed (readable, labels when --cond, as the
   * reference validates it), the seed (a resumed run keeps its own), --transfer/--resume checked,
   * and the run directory named like train.py's.
   */
  private TrainingConfig config(int world) throws IOException {
    TrainingConfig.Builder b =
        TrainingConfig.builder()
            .setData(data)
            .setCond(cond)
            .setArch(arch)
            .setPrecond(precond)
            .setDuration(duration)
            .setBatch(batch)
            .setBatchGpu(batchGpu)
            .setCbase(cbase)
            .setLr(lr)
            .setEma(ema)
            .setDropout(dropout)
            .setAugment(augment)
            .setSChurn(sChurn)
            .setSMin(sMin)
            .setSMax(sMax)
            .setSNoise(sNoise)
            .setMartingaleLambda(martingaleLambda)
            .setMartingaleSteps(martingaleSteps)
            .setXflip(xflip)
            .setFp16(fp16)
            .setChainFp16(chainFp16)
            .setLs(ls)
            .setBench(bench)
            .setCache(cache)
            .setWorkers(workers)
            .setTick(tick)
            .setSnap(snap)
            .setDump(dump)
            .setTransfer(transfer)
            .setLrRampup(lrRampup)
            .setNumBlocks(numBlocks)
            .setMaxSteps(maxSteps)
            .setMaxMinutes(maxMinutes);
    String datasetName;
    try {
      localData = Sources.open(data, "--data");
    } catch (IOException e) {
      throw bad(e.getMessage());
    }
    try (TrainingSet probe =
        new TrainingSet(ImageArchive.open(localData), cond, xflip, false, 1, 0)) {
      // The reference's name (file name without extension) of what the user gave, not of the cache
      // copy.
      datasetName =
          localData.equals(Path.of(data))
              ? probe.name()
              : data.substring(data.lastIndexOf('/') + 1).replaceFirst("\\.[^.]*$", "");
      b.setResolution(probe.resolution())
          .setChannels(probe.channels())
          .setLabelDim(probe.labelDim())
          .setDatasetSize(probe.size());
    } catch (IOException | IllegalArgumentException e) {
      throw bad("--data: " + e.getMessage());
    }
    b.setCres(cres == null ? null : parseIntList(cres));
    if (numBlocks != null && numBlocks < 1) {
      throw bad("--num-blocks must be at least 1, got " + numBlocks);
    }
    if (transfer != null && resume != null) {
      throw bad("--transfer and --resume cannot be specified at the same time");
    }
    KimgFileName resumeName = resume == null ? null : resumeName();
    // A resumed run keeps its seed: batches and draws are functions of (seed, images seen).
    b.setSeed(
        seed != null
            ? seed
            : localResume != null && !isReferenceState(localResume)
                ? TrainingState.readSeed(localResume)
                : new SecureRandom().nextInt(Integer.MAX_VALUE));
    if (resumeName != null) {
      b.setResume(AtomicFiles.isLocalPath(resume) ? localResume.toString() : resume)
          .setResumeKimg(resumeName.kimg());
    }
    String fullDesc =
        String.format(
            "%s-%s-%s-%s-gpus%d-batch%d-%s",
            datasetName,
            cond ? "cond" : "uncond",
            arch,
            precond,
            world,
            batch,
            fp16 ? "fp16" : "fp32");
    if (desc != null) {
      fullDesc += "-" + desc;
    }
    String runName = String.format("%05d-%s", nextRunId(), fullDesc);
    if (AtomicFiles.isLocalPath(outdir)) {
      Path dir = Path.of(outdir);
      return b.setRunDir((nosubdir ? dir : dir.resolve(runName)).toString()).build();
    }
    return b.setRunDir(nosubdir ? outdir : AtomicFiles.resolve(outdir, runName)).build();
  }

  /**
   * The name of the --resume state, with {@link #localResume} set to the file on this machine: the
   * path given, or a remote {@code .safetensors} state fetched into the cache.
   */
  private KimgFileName resumeName() {
    String name = resume.replaceAll("[/\\\\]+$", "");
    name = name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
    KimgFileName m = KimgFileName.parse(name);
    boolean state =
        m != null && m.prefix().equals(KimgFileName.STATE) && !m.extension().equals(".pkl");
    if (AtomicFiles.isLocalPath(resume)) {
      localResume = Path.of(resume);
      if (!state || !Files.isRegularFile(localResume)) {
        throw bad(
            "--resume must point to training-state-*.safetensors (or the reference's training-state-*.pt)"
                + " from a previous training run, got "
                + localResume);
      }
      return m;
    }
    if (!state || m.extension().equals(".pt")) {
      throw bad(
          "--resume="
              + resume
              + ": a remote state must be training-state-*.safetensors (a reference .pt is read"
              + " with the .pkl beside it: copy both to a local folder)");
    }
    try {
      localResume = Sources.open(resume, "--resume");
    } catch (IOException e) {
      throw bad(e.getMessage());
    }
    return m;
  }

  /** train.py's summary before training: the options and the main choices. */
  private void printOptions(
      Consumer<String> print, TrainingConfig config, String json, List<Device> devs) {
    print.accept("");
    print.accept("Training options:");
    print.accept(json);
    print.accept("");
    print.accept(String.format("%-25s%s", "Output directory:", config.runDir()));
    print.accept(String.format("%-25s%s", "Dataset path:", data));
    print.accept(String.format("%-25s%s", "Class-conditional:", cond));
    print.accept(String.format("%-25s%s", "Network architecture:", arch));
    print.accept(String.format("%-25s%s", "Preconditioning & loss:", precond));
    print.accept(
        String.format(
            "%-25s%s", "Number of GPUs:", devs.size() + (devs.get(0).isGpu() ? "" : " (CPU)")));
    print.accept(String.format("%-25s%s", "Batch size:", batch));
    print.accept(String.format("%-25s%s", "Mixed-precision:", fp16));
    print.accept("");
  }

  /**
   * Builds the loop (everything that can fail on the inputs: dataset, --transfer, --resume against
   * this network, before the run directory exists), then writes training_options.json and log.txt
   * and trains; with --evaluate, waits for the evaluation of the last snapshots. A remote run
   * directory is written in a local staging folder and published file by file ({@link
   * RunPublisher}).
   */
  private Integer run(TrainingConfig config, String json, List<Device> devs, Consumer<String> print)
      throws Exception {
    // A remote run directory is written here first and published file by file.
    RunPublisher publisher =
        AtomicFiles.isLocalPath(config.runDir())
            ? null
            : new RunPublisher(config.runDir(), RunPublisher.stagingFor(config.runDir()), print);
    Path runDir = publisher == null ? Path.of(config.runDir()) : publisher.staging();
    TrainingLog log = new TrainingLog(System.out);
    EvaluationProcess evaluation = null;
    try (NDManager root = NDManager.newBaseManager(devs.get(0));
        TrainingSet set =
            new TrainingSet(
                ImageArchive.open(localData), cond, xflip, cache, workers, config.seed())) {
      log.accept("Loading dataset...");
      TrainingLoop loop = loop(config, runDir, publisher, set, devs, root, log);
      print.accept("Creating output directory...");
      boolean created = !Files.exists(runDir);
      Files.createDirectories(runDir);
      try {
        if (publisher != null) {
          publisher.start();
        }
        Path opts = runDir.resolve("training_options.json");
        Path part = runDir.resolve("training_options.json.part");
        Files.writeString(part, json);
        Files.move(part, opts, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        log.toFile(runDir.resolve("log.txt"));
        if (publisher != null) {
          publisher.publish(RunPublisher.OPTIONS);
          publisher.publish(RunPublisher.LOG);
          publisher.flush(); // an --outdir that cannot be written fails before the training
        }
        if (evaluate != null) {
          evaluation =
              EvaluationProcess.start(
                  config.runDir(), runDir.resolve(EvaluationProcess.LOG), evaluate, evaluateFlags);
        }
        log.accept(PrecondNetworks.precond(loop.ema()).describe());
        log.accept(
            String.format(
                "batch_gpu: %d, Acc rounds: %d, World size: %d",
                loop.batchGpu(), loop.accumulationRounds(), devs.size()));
        loop.run();
        if (publisher != null) {
          publisher.publish(RunPublisher.LOG); // the lines after the done marker
          if (evaluation == null) {
            publisher.finish();
          }
        }
      } catch (Exception | Error e) {
        if (evaluation != null) {
          evaluation.stop(); // no end marker will come
        }
        if (publisher != null) {
          publisher.discardIfEmpty(); // first: the checkpoints it still uploads are in runDir
        }
        removeIfEmpty(runDir, created);
        throw e;
      }
    }
    if (evaluation != null) {
      log.accept(
          "Waiting for the evaluation of the last snapshots (" + EvaluationProcess.LOG + ")...");
      try {
        while (!evaluation.awaitEnd(EVALUATE_LOG_MILLIS)) {
          if (publisher != null) {
            publisher.publish(EvaluationProcess.LOG);
          }
        }
        if (publisher != null) {
          publisher.publish(RunPublisher.LOG);
          publisher.publish(EvaluationProcess.LOG);
          publisher.finish();
        }
      } catch (Exception | Error e) {
        evaluation.stop();
        if (publisher != null) {
          publisher.discardIfEmpty(); // ends the upload thread
        }
        throw e;
      }
      return evaluation.awaitEnd() == 0 ? 0 : 1;
    }
    return 0;
  }

  /** The loop of {@code config}, with the --transfer weights or the --resume state loaded. */
  private TrainingLoop loop(
      TrainingConfig config,
      Path runDir,
      RunPublisher publisher,
      TrainingSet set,
      List<Device> devs,
      NDManager root,
      Consumer<String> log)
      throws IOException {
    NetworkFactory factory = config.networkFactory();
    Map<String, NDArray> initial = null;
    if (transfer != null) {
      log.accept("Loading network weights from \"" + transfer + "\"...");
      Precond src = NetworkLoader.load(transfer, root);
      initial = src.parameters();
    }
    Path resumeState = localResume;
    TrainingState state = null;
    if (resumeState != null) {
      log.accept("Loading training state from \"" + config.resume() + "\"...");
      state =
          isReferenceState(resumeState)
              ? TrainingState.loadReference(resumeState, tick, config.seed(), root)
              : TrainingState.load(resumeState, root);
    }
    log.accept("Constructing network...");
    ObjectConfig lossConfig = config.lossConfig();
    ObjectConfig augmentConfig = config.augmentConfig();
    Map<String, Object> datasetKwargs = config.datasetKwargs();
    try {
      return TrainingLoop.builder()
          .setOptions(config.loopOptions(runDir))
          .setData(set)
          .setNetworkFactory(factory)
          .setLoss(config.loss())
          .setAugmentation(config.augmentPipe())
          .setDevices(devs)
          .setRoot(root)
          .setInitialWeights(initial)
          .setResume(state)
          .setSnapshotWriter(
              (path, emaNet) ->
                  NetworkLoader.save(
                      PrecondNetworks.precond(emaNet),
                      path,
                      lossConfig,
                      augmentConfig,
                      datasetKwargs,
                      Map.of("training_options", "training_options.json")))
          .setLog(log)
          .setArtefactListener(publisher == null ? ArtefactListener.NONE : publisher)
          .build();
    } catch (IllegalArgumentException e) {
      // --resume/--transfer weights that do not fit the network these flags describe.
      throw bad(
          e.getMessage()
              + (resumeState != null
                  ? " (give the flags of the run that wrote "
                      + resume.substring(resume.lastIndexOf('/') + 1)
                      + ")"
                  : ""));
    }
  }

  /**
   * A run that failed before writing a snapshot or state leaves nothing worth keeping: remove the
   * files it made (and the run directory, when this run created it).
   */
  private static void removeIfEmpty(Path runDir, boolean created) {
    try (var s = Files.list(runDir)) {
      List<Path> files = s.collect(java.util.stream.Collectors.toList());
      for (Path f : files) {
        String n = f.getFileName().toString();
        if (n.startsWith("network-snapshot-") || n.startsWith("training-state-")) {
          return;
        }
      }
      if (created) {
        for (Path f : files) {
          Files.deleteIfExists(f);
        }
        Files.deleteIfExists(runDir);
      }
    } catch (IOException ignored) {
      // best effort: the error that ended the run is the one to report
    }
  }

  /** The reference's torch.save state ({@code .pt}) rather than ours ({@code .safetensors}). */
  private static boolean isReferenceState(Path state) {
    return state.getFileName().toString().endsWith(".pt");
  }

  /**
   * The reference's run numbering in --outdir: one more than the largest leading number of a
   * subfolder; on a remote file system, of a folder with files in it (object stores have no empty
   * folders). An --outdir that cannot be listed is a usage error naming it.
   */
  private int nextRunId() {
    try {
      if (AtomicFiles.isLocalPath(outdir)) {
        return nextRunId(Path.of(outdir));
      }
      int max = -1;
      for (String name : AtomicFiles.list(outdir)) {
        Matcher m = Pattern.compile("^(\\d+)[^/]*/").matcher(name);
        if (m.find()) {
          max = Math.max(max, Integer.parseInt(m.group(1)));
        }
      }
      return max + 1;
    } catch (IOException | RuntimeException e) {
      throw bad("--outdir=" + outdir + ": " + CommandErrors.message(e));
    }
  }

  /** The reference's run numbering: one more than the largest leading number of a subfolder. */
  static int nextRunId(Path outdir) throws IOException {
    int max = -1;
    if (Files.isDirectory(outdir)) {
      try (var s = Files.list(outdir)) {
        for (Path p : (Iterable<Path>) s::iterator) {
          if (Files.isDirectory(p)) {
            Matcher m = Pattern.compile("^\\d+").matcher(p.getFileName().toString());
            if (m.find()) {
              max = Math.max(max, Integer.parseInt(m.group()));
            }
          }
        }
      }
    }
    return max + 1;
  }
}

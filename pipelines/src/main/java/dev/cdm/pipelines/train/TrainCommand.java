package dev.cdm.pipelines.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.cdm.model.augment.AugmentPipe;
import dev.cdm.model.data.ImageArchive;
import dev.cdm.model.io.NetworkLoader;
import dev.cdm.model.io.ObjectConfig;
import dev.cdm.model.loss.EDMLoss;
import dev.cdm.model.loss.Loss;
import dev.cdm.model.loss.MartingaleLoss;
import dev.cdm.model.loss.VELoss;
import dev.cdm.model.loss.VPLoss;
import dev.cdm.model.precond.Precision;
import dev.cdm.model.precond.Precond;
import dev.cdm.model.training.NetworkFactory;
import dev.cdm.model.training.PrecisionView;
import dev.cdm.model.training.PrecondNetworks;
import dev.cdm.model.training.TrainingLoop;
import dev.cdm.pipelines.evaluate.EvaluationProcess;
import dev.cdm.model.training.TrainingOptions;
import dev.cdm.model.training.TrainingSet;
import dev.cdm.model.training.TrainingState;
import dev.cdm.pipelines.Cdm;
import dev.cdm.pipelines.DeviceOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--template", paramLabel = "NAME|FILE",
      description = "Start from a named run configuration (templates/NAME.args); other flags override it.")
  String template;

  @Option(names = "--outdir", required = true, paramLabel = "DIR", description = "Where to save the results")
  Path outdir;

  @Option(names = "--data", required = true, paramLabel = "ZIP|DIR", description = "Path to the dataset")
  Path data;

  @Option(names = "--cond", paramLabel = "BOOL", arity = "1", converter = Bool.class, description = "Train class-conditional model (default: ${DEFAULT-VALUE})")
  boolean cond = false;

  @Option(names = "--arch", paramLabel = "ddpmpp|ncsnpp|adm", description = "Network architecture (default: ${DEFAULT-VALUE})")
  String arch = "ddpmpp";

  @Option(names = "--precond", paramLabel = "vp|ve|edm|cdm", description = "Preconditioning & loss function (default: ${DEFAULT-VALUE})")
  String precond = "cdm";

  @Option(names = "--duration", paramLabel = "MIMG", description = "Training duration (default: ${DEFAULT-VALUE})")
  double duration = 200;

  @Option(names = "--batch", paramLabel = "INT", description = "Total batch size (default: ${DEFAULT-VALUE})")
  int batch = 512;

  @Option(names = "--batch-gpu", paramLabel = "INT", description = "Limit batch size per GPU")
  Integer batchGpu;

  @Option(names = "--cbase", paramLabel = "INT", description = "Channel multiplier (default: varies)")
  Integer cbase;

  @Option(names = "--cres", paramLabel = "LIST", description = "Channels per resolution (default: varies)")
  String cres;

  @Option(names = "--lr", paramLabel = "FLOAT", description = "Learning rate (default: ${DEFAULT-VALUE})")
  double lr = 10e-4;

  @Option(names = "--ema", paramLabel = "MIMG", description = "EMA half-life (default: ${DEFAULT-VALUE})")
  double ema = 0.5;

  @Option(names = "--dropout", paramLabel = "FLOAT", description = "Dropout probability (default: ${DEFAULT-VALUE})")
  double dropout = 0.13;

  @Option(names = "--augment", paramLabel = "FLOAT", description = "Augment probability (default: ${DEFAULT-VALUE})")
  double augment = 0.12;

  @Option(names = {"--S_churn", "--s-churn"}, paramLabel = "FLOAT", description = "Amount of stochasticity (default: ${DEFAULT-VALUE})")
  double sChurn = 10.0;

  @Option(names = {"--S_min", "--s-min"}, paramLabel = "FLOAT", description = "Saturation lower bound (default: ${DEFAULT-VALUE})")
  double sMin = 0.01;

  @Option(names = {"--S_max", "--s-max"}, paramLabel = "FLOAT", description = "Saturation upper bound (default: ${DEFAULT-VALUE})")
  double sMax = 1.0;

  @Option(names = {"--S_noise", "--s-noise"}, paramLabel = "FLOAT", description = "S_noise (default: ${DEFAULT-VALUE})")
  double sNoise = 1.007;

  @Option(names = {"--martingale_lambda", "--martingale-lambda"}, paramLabel = "FLOAT", description = "Coefficient for martingale term (default: ${DEFAULT-VALUE})")
  double martingaleLambda = 10.0;

  @Option(names = {"--martingale_steps", "--martingale-steps"}, paramLabel = "INT", description = "Number of steps to run backward sampler for (default: ${DEFAULT-VALUE})")
  int martingaleSteps = 6;

  @Option(names = "--xflip", paramLabel = "BOOL", arity = "1", converter = Bool.class, description = "Enable dataset x-flips (default: ${DEFAULT-VALUE})")
  boolean xflip = false;

  @Option(names = "--fp16", paramLabel = "BOOL", arity = "1", converter = Bool.class, description = "Enable mixed-precision training (default: ${DEFAULT-VALUE})")
  boolean fp16 = false;

  @Option(names = "--chain-fp16", paramLabel = "BOOL", arity = "1", converter = Bool.class,
      description = "Run CDM's no-grad backward-SDE chains in fp16 on the GPU (default: ${DEFAULT-VALUE})")
  boolean chainFp16 = false;

  @Option(names = "--ls", paramLabel = "FLOAT", description = "Loss scaling (default: ${DEFAULT-VALUE})")
  double ls = 1;

  @Option(names = "--bench", paramLabel = "BOOL", arity = "1", converter = Bool.class, description = "Enable cuDNN benchmarking (default: ${DEFAULT-VALUE}; recorded only)")
  boolean bench = true;

  @Option(names = "--cache", paramLabel = "BOOL", arity = "1", converter = Bool.class, description = "Cache dataset in CPU memory (default: ${DEFAULT-VALUE})")
  boolean cache = true;

  @Option(names = "--workers", paramLabel = "INT", description = "Data loader threads (default: ${DEFAULT-VALUE})")
  int workers = 1;

  @Option(names = "--desc", paramLabel = "STR", description = "String to include in result dir name")
  String desc;

  @Option(names = "--nosubdir", description = "Do not create a subdirectory for results")
  boolean nosubdir;

  @Option(names = "--tick", paramLabel = "KIMG", description = "How often to print progress (default: ${DEFAULT-VALUE}; fractions allowed)")
  double tick = 50;

  @Option(names = "--snap", paramLabel = "TICKS", description = "How often to save snapshots (default: ${DEFAULT-VALUE})")
  int snap = 50;

  @Option(names = "--dump", paramLabel = "TICKS", description = "How often to dump state (default: ${DEFAULT-VALUE})")
  int dump = 500;

  @Option(names = "--seed", paramLabel = "INT", description = "Random seed (default: random)")
  Long seed;

  @Option(names = "--transfer", paramLabel = "PKL|SAFETENSORS", description = "Transfer learning from network snapshot (reference .pkl or ours)")
  String transfer;

  @Option(names = "--resume", paramLabel = "STATE", description = "Resume from previous training state (training-state-NNNNNN.safetensors, or the"
      + " reference's training-state-NNNNNN.pt with network-snapshot-NNNNNN.pkl beside it)")
  Path resume;

  /** Data parallel training over every device this names (auto: every GPU of the host, else the CPU). */
  @Mixin DeviceOption device;

  @Option(names = "--max-steps", hidden = true, paramLabel = "INT",
      description = "Stop after this many optimizer steps (smoke tests and benchmarks)")
  Long maxSteps;

  @Option(names = "--evaluate", paramLabel = "NPZ", description = "Evaluate every snapshot beside the training against these reference statistics (cdm evaluate --watch in its own process; log in evaluate-log.txt)")
  String evaluate;

  @Option(names = "--evaluate-flags", paramLabel = "FLAGS", description = "Flags for that evaluation, e.g. \"--num=10000 --repeats=1 --device=gpu:1\"")
  String evaluateFlags;

  @Option(names = {"--lr_rampup", "--lr-rampup"}, paramLabel = "KIMG",
      description = "Learning rate ramp-up (the reference's lr_rampup_kimg; default: ${DEFAULT-VALUE})")
  double lrRampup = 10000;

  @Option(names = "--num-blocks", paramLabel = "INT",
      description = "Residual blocks per resolution (num_blocks) (default: 4 for ddpmpp/ncsnpp, 3 for adm)")
  Integer numBlocks;

  @Option(names = "--max-minutes", paramLabel = "FLOAT",
      description = "Stop after this much training time in this process (writes the last snapshot and state)")
  Double maxMinutes;

  @Option(names = {"-n", "--dry-run"}, description = "Print training options and exit")
  boolean dryRun;

  /** click's BOOL: 1/0, true/false, yes/no, on/off. */
  public static final class Bool implements CommandLine.ITypeConverter<Boolean> {
    @Override
    public Boolean convert(String v) {
      switch (v.trim().toLowerCase()) {
        case "1": case "true": case "t": case "yes": case "y": case "on":
          return true;
        case "0": case "false": case "f": case "no": case "n": case "off":
          return false;
        default:
          throw new CommandLine.TypeConversionException("'" + v + "' is not a valid boolean (use 1/0, true/false, yes/no)");
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
          throw new CommandLine.ParameterException(new CommandLine(new TrainCommand()),
              "--cres: '" + s + "' is not a list of integers (e.g. 1,2,2,2 or 1-3)");
        }
      }
    }
    return out;
  }

  private CommandLine.ParameterException bad(String msg) {
    return new CommandLine.ParameterException(spec.commandLine(), msg);
  }

  Integer train(Consumer<String> print) throws Exception {
    for (String[] v : new String[][] {{"--arch", arch, "ddpmpp|ncsnpp|adm"}, {"--precond", precond, "vp|ve|edm|cdm"}}) {
      if (!("|" + v[2] + "|").contains("|" + v[1] + "|")) {
        throw bad(v[0] + " must be one of " + v[2] + ", got '" + v[1] + "'");
      }
    }
    if (augment < 0 || augment > 1 || dropout < 0 || dropout > 1) {
      throw bad("--augment and --dropout must be in [0, 1]");
    }
    if (batch < 1 || (batchGpu != null && batchGpu < 1) || !(tick > 0) || snap < 1 || dump < 1 || workers < 1) {
      throw bad("--batch, --batch-gpu, --snap, --dump and --workers must be at least 1, --tick above 0");
    }
    if (precond.equals("cdm") && !(martingaleLambda > 0)) {
      throw bad("--precond=cdm needs --martingale_lambda > 0");
    }
    List<Device> devs = device.resolve();
    int world = devs.size();
    // The reference's split of --batch: batch_gpu per device, accumulation rounds, devices.
    int perDevice = batch / world;
    int bg = batchGpu == null || batchGpu > perDevice ? perDevice : batchGpu;
    if (perDevice < 1 || batch % world != 0 || perDevice % bg != 0) {
      throw bad("--batch=" + batch + " must be a multiple of --batch-gpu=" + bg + " x " + world
          + " device" + (world == 1 ? "" : "s") + " (--device=" + device + ")");
    }

    // Dataset (validated like the reference: readable, labels when --cond).
    Map<String, Object> c = new LinkedHashMap<>();
    Map<String, Object> datasetKwargs = new LinkedHashMap<>();
    datasetKwargs.put("class_name", "training.dataset.ImageFolderDataset");
    datasetKwargs.put("path", data.toString());
    datasetKwargs.put("use_labels", cond);
    datasetKwargs.put("xflip", xflip);
    datasetKwargs.put("cache", cache);
    String datasetName;
    int resolution;
    int channels;
    int labelDim;
    try (TrainingSet probe = new TrainingSet(ImageArchive.open(data), cond, xflip, false, 1, 0)) {
      datasetName = probe.name();
      resolution = probe.resolution();
      channels = probe.channels();
      labelDim = probe.labelDim();
      datasetKwargs.put("resolution", resolution);
      datasetKwargs.put("max_size", probe.size()); // len(dataset): doubled by --xflip, as the reference records it
    } catch (IOException | IllegalArgumentException e) {
      throw bad("--data: " + e.getMessage());
    }
    c.put("dataset_kwargs", datasetKwargs);
    c.put("data_loader_kwargs", Map.of("pin_memory", true, "num_workers", workers, "prefetch_factor", 2));

    Map<String, Object> networkKwargs = PrecondNetworks.networkKwargs(
        arch, cbase, cres == null ? null : parseIntList(cres), dropout, fp16, augment > 0);
    if (numBlocks != null) {
      if (numBlocks < 1) {
        throw bad("--num-blocks must be at least 1, got " + numBlocks);
      }
      networkKwargs.put("num_blocks", numBlocks);
    }
    String precondClass = PrecondNetworks.precondClass(precond);
    Map<String, Object> nk = new LinkedHashMap<>();
    nk.put("class_name", precondClass);
    nk.putAll(networkKwargs);
    c.put("network_kwargs", nk);

    Map<String, Object> lossKwargs = new LinkedHashMap<>();
    Loss loss;
    switch (precond) {
      case "vp":
        lossKwargs.put("class_name", "training.loss.VPLoss");
        loss = new VPLoss();
        break;
      case "ve":
        lossKwargs.put("class_name", "training.loss.VELoss");
        loss = new VELoss();
        break;
      case "edm":
        lossKwargs.put("class_name", "training.loss.EDMLoss");
        loss = new EDMLoss();
        break;
      default:
        lossKwargs.put("class_name", "training.loss.MartingaleLoss");
        lossKwargs.put("martingale_lambda", martingaleLambda);
        lossKwargs.put("S_churn", sChurn);
        lossKwargs.put("S_min", sMin);
        lossKwargs.put("S_max", sMax);
        lossKwargs.put("S_noise", sNoise);
        lossKwargs.put("num_steps", martingaleSteps);
        MartingaleLoss ml = new MartingaleLoss(-1.2, 1.2, 0.5, 0.0, 0.05, martingaleSteps, 7,
            martingaleLambda, sChurn, sMin, sMax, sNoise);
        if (chainFp16) {
          ml.withChainNet(net -> new PrecisionView(PrecondNetworks.precond(
              (dev.cdm.model.training.TrainableNetwork) net), Precision.FP16));
        }
        loss = ml;
    }
    c.put("loss_kwargs", lossKwargs);
    Map<String, Object> optimizerKwargs = new LinkedHashMap<>();
    optimizerKwargs.put("class_name", "torch.optim.Adam");
    optimizerKwargs.put("lr", lr);
    optimizerKwargs.put("betas", List.of(0.9, 0.999));
    optimizerKwargs.put("eps", 1e-8);
    c.put("optimizer_kwargs", optimizerKwargs);
    AugmentPipe augmentPipe = null;
    Map<String, Object> augmentKwargs = null;
    if (augment > 0) {
      augmentKwargs = new LinkedHashMap<>();
      augmentKwargs.put("class_name", "training.augment.AugmentPipe");
      augmentKwargs.put("p", augment);
      augmentKwargs.put("xflip", 1e8);
      augmentKwargs.put("yflip", 1);
      augmentKwargs.put("scale", 1);
      augmentKwargs.put("rotate_frac", 1);
      augmentKwargs.put("aniso", 1);
      augmentKwargs.put("translate_frac", 1);
      c.put("augment_kwargs", augmentKwargs);
      augmentPipe = AugmentPipe.training(augment);
    }
    long totalKimg = Math.max((long) (duration * 1000), 1);
    c.put("total_kimg", totalKimg);
    c.put("ema_halflife_kimg", (long) (ema * 1000));
    c.put("batch_size", batch);
    c.put("batch_gpu", batchGpu);
    c.put("loss_scaling", ls);
    c.put("cudnn_benchmark", bench);
    c.put("kimg_per_tick", tick == Math.rint(tick) ? (Object) (long) tick : (Object) tick);
    if (lrRampup != 10000) { // the reference's training_loop default: recorded only when changed
      c.put("lr_rampup_kimg", lrRampup);
    }
    c.put("snapshot_ticks", snap);
    c.put("state_dump_ticks", dump);
    // A resumed run keeps its seed: batches and draws are functions of (seed, images seen).
    long theSeed = seed != null ? seed
        : resume != null && Files.isRegularFile(resume) && !isReferenceState(resume) ? TrainingState.readSeed(resume)
        : new SecureRandom().nextInt(Integer.MAX_VALUE);
    c.put("seed", theSeed);

    Double emaRampup = 0.05;
    Path resumeState = null;
    if (transfer != null) {
      if (resume != null) {
        throw bad("--transfer and --resume cannot be specified at the same time");
      }
      c.put("resume_pkl", transfer);
      c.put("ema_rampup_ratio", null);
      emaRampup = null;
    } else if (resume != null) {
      Matcher m = Pattern.compile("training-state-(\\d+(?:\\.\\d+)?)\\.(safetensors|pt)").matcher(resume.getFileName().toString());
      if (!m.matches() || !Files.isRegularFile(resume)) {
        throw bad("--resume must point to training-state-*.safetensors (or the reference's training-state-*.pt)"
            + " from a previous training run, got " + resume);
      }
      double resumeKimg = Double.parseDouble(m.group(1));
      c.put("resume_kimg", resumeKimg == Math.rint(resumeKimg) ? (Object) (long) resumeKimg : (Object) resumeKimg);
      c.put("resume_state_dump", resume.toString());
      resumeState = resume;
    }

    String condStr = cond ? "cond" : "uncond";
    String dtypeStr = fp16 ? "fp16" : "fp32";
    String fullDesc = String.format("%s-%s-%s-%s-gpus%d-batch%d-%s", datasetName, condStr, arch, precond, world, batch, dtypeStr);
    if (desc != null) {
      fullDesc += "-" + desc;
    }
    Path runDir = nosubdir ? outdir : outdir.resolve(String.format("%05d-%s", nextRunId(outdir), fullDesc));
    c.put("run_dir", runDir.toString());

    Gson gson = new GsonBuilder().setPrettyPrinting().serializeNulls().create();
    String json = gson.toJson(c);
    print.accept("");
    print.accept("Training options:");
    print.accept(json);
    print.accept("");
    print.accept(String.format("%-25s%s", "Output directory:", runDir));
    print.accept(String.format("%-25s%s", "Dataset path:", data));
    print.accept(String.format("%-25s%s", "Class-conditional:", cond));
    print.accept(String.format("%-25s%s", "Network architecture:", arch));
    print.accept(String.format("%-25s%s", "Preconditioning & loss:", precond));
    print.accept(String.format("%-25s%s", "Number of GPUs:", world + (devs.get(0).isGpu() ? "" : " (CPU)")));
    print.accept(String.format("%-25s%s", "Batch size:", batch));
    print.accept(String.format("%-25s%s", "Mixed-precision:", fp16));
    print.accept("");
    if (dryRun) {
      print.accept("Dry run; exiting.");
      return 0;
    }

    EvaluationProcess evaluation = null;
    TrainingOptions options = TrainingOptions.builder()
        .runDir(runDir).seed(theSeed).batchSize(batch).batchGpu(batchGpu).totalKimg(totalKimg)
        .emaHalflifeKimg((long) (ema * 1000)).emaRampupRatio(emaRampup).lr(lr).lrRampupKimg(lrRampup)
        .lossScaling(ls).kimgPerTick(tick).snapshotTicks(snap).stateDumpTicks(dump).maxSteps(maxSteps)
        .maxSeconds(maxMinutes == null ? null : maxMinutes * 60)
        .decimalKimgNames(tick != Math.rint(tick)).build();
    Precision precision = fp16 ? Precision.FP16 : Precision.FP32;
    ObjectConfig lossConfig = objectConfig(lossKwargs);
    ObjectConfig augmentConfig = augmentKwargs == null ? null : objectConfig(augmentKwargs);
    // Everything that can fail on the inputs (dataset, --transfer, --resume against this network)
    // happens before the run directory exists; the log keeps its lines until then.
    List<String> early = new ArrayList<>();
    Path[] logFile = {null};
    Consumer<String> log = line -> {
      if (logFile[0] == null) {
        System.out.println(line);
        early.add(line);
      } else {
        TrainingLoop.tee(System.out, logFile[0]).accept(line);
      }
    };
    try (NDManager root = NDManager.newBaseManager(devs.get(0));
        TrainingSet set = new TrainingSet(ImageArchive.open(data), cond, xflip, cache, workers, theSeed)) {
      log.accept("Loading dataset...");
      NetworkFactory factory = PrecondNetworks.factory(precondClass, networkKwargs, resolution, channels, labelDim, precision);
      Map<String, NDArray> initial = null;
      if (transfer != null) {
        log.accept("Loading network weights from \"" + transfer + "\"...");
        Precond src = NetworkLoader.load(transfer, root);
        initial = src.parameters();
      }
      TrainingState state = null;
      if (resumeState != null) {
        log.accept("Loading training state from \"" + resumeState + "\"...");
        state = isReferenceState(resumeState)
            ? TrainingState.loadReference(resumeState, tick, theSeed, root)
            : TrainingState.load(resumeState, root);
      }
      log.accept("Constructing network...");
      TrainingLoop loop;
      try {
        loop = new TrainingLoop(options, set, factory, loss, augmentPipe, devs, root, initial, state,
            (path, emaNet) -> NetworkLoader.save(PrecondNetworks.precond(emaNet), path, lossConfig, augmentConfig,
                datasetKwargs, Map.of("training_options", "training_options.json")),
            ".safetensors", log);
      } catch (IllegalArgumentException e) {
        // --resume/--transfer weights that do not fit the network these flags describe.
        throw bad(e.getMessage() + (resumeState != null
            ? " (give the flags of the run that wrote " + resumeState.getFileName() + ")" : ""));
      }
      print.accept("Creating output directory...");
      boolean created = !Files.exists(runDir);
      Files.createDirectories(runDir);
      try {
        Path opts = runDir.resolve("training_options.json");
        Path part = runDir.resolve("training_options.json.part");
        Files.writeString(part, json);
        Files.move(part, opts, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.write(runDir.resolve("log.txt"), early, java.nio.charset.StandardCharsets.UTF_8);
        logFile[0] = runDir.resolve("log.txt");
        if (evaluate != null) {
          evaluation = EvaluationProcess.start(runDir, evaluate, evaluateFlags);
        }
        log.accept(PrecondNetworks.precond(loop.ema()).describe());
        log.accept(String.format("batch_gpu: %d, Acc rounds: %d, World size: %d", loop.batchGpu(), loop.accumulationRounds(), world));
        loop.run();
      } catch (Exception | Error e) {
        removeIfEmpty(runDir, created);
        throw e;
      }
    }
    if (evaluation != null) {
      log.accept("Waiting for the evaluation of the last snapshots (" + EvaluationProcess.LOG + ")...");
      return evaluation.awaitEnd() == 0 ? 0 : 1;
    }
    return 0;
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

  private static ObjectConfig objectConfig(Map<String, Object> kwargs) {
    Map<String, Object> kw = new LinkedHashMap<>(kwargs);
    String cls = (String) kw.remove("class_name");
    return ObjectConfig.of(cls.substring(cls.lastIndexOf('.') + 1), List.of(), kw);
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

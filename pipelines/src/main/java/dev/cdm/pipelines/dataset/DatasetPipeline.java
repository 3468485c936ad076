package dev.cdm.pipelines.dataset;

import dev.cdm.pipelines.CommandErrors;
import dev.cdm.pipelines.PipelineCounters;
import dev.cdm.pipelines.PipelineRuns;
import dev.cdm.transforms.ProgressMeter;
import dev.cdm.transforms.dataset.ConvertDataset;
import dev.cdm.transforms.dataset.DatasetConversion;
import dev.cdm.transforms.dataset.DatasetReport;
import dev.cdm.transforms.dataset.DatasetSources;
import dev.cdm.transforms.dataset.ImageTransform;
import dev.cdm.transforms.dataset.PreparedSource;
import dev.cdm.transforms.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * {@code cdm dataset}: the reference {@code dataset_tool.py} on Beam. Prepares the source (one
 * sequential listing pass), runs {@link ConvertDataset}, and renames the result onto {@code --dest}
 * only when everything succeeded; a failed run leaves no destination behind.
 *
 * <p>Scratch files live in {@code .<dest name>.cdm-<id>/} beside the destination, so that the final
 * rename stays on one file system; on a cluster that folder must be shared by the workers. A run
 * killed before it could clean up leaves that folder; the next run on the same destination removes
 * it (its owner process is gone) and says so.
 *
 * <p>{@code --source} and {@code --dest} may be on any Beam file system ({@code gs://}): a remote
 * source is copied through the file layer into a local scratch folder first (the MNIST labels file
 * beside MNIST images, every file of a folder), and a remote destination is built there and
 * uploaded when complete (a ZIP as one object, a folder file by file), so that the conversion
 * itself reads and writes local files with random access. That scratch folder is local to the
 * submitting machine: on a multi-host cluster give local (shared) paths instead.
 */
public final class DatasetPipeline {
  private DatasetPipeline() {}

  /** The command's arguments, as the reference's flags. */
  public static final class Job {
    public String source;
    public String dest;
    public Long maxImages;
    public ImageTransform transform = ImageTransform.of(ImageTransform.Mode.SCALE, null, null);
    public boolean skipBad;
    public Integer shardSize;
  }

  /** A failure of the run, its message naming the input or flag at fault. */
  public static final class DatasetException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DatasetException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  public static DatasetReport run(Job job, List<String> beamArgs) throws IOException {
    if (job.dest == null || job.dest.isEmpty()) {
      throw new IllegalArgumentException(
          "--dest output filename or directory must not be an empty string");
    }
    boolean remoteSource = !AtomicFiles.isLocalPath(job.source);
    boolean remoteDest = !AtomicFiles.isLocalPath(job.dest);
    if (!remoteSource && !remoteDest) {
      return runLocal(job, beamArgs);
    }
    Path scratch = Files.createTempDirectory("cdm-dataset-");
    try {
      Job local = new Job();
      local.source = remoteSource ? stageSource(job.source, scratch.resolve("source")) : job.source;
      String name = job.dest.replaceAll("/+$", "");
      name = name.substring(name.lastIndexOf('/') + 1);
      local.dest = remoteDest ? scratch.resolve("dest").resolve(name).toString() : job.dest;
      local.maxImages = job.maxImages;
      local.transform = job.transform;
      local.skipBad = job.skipBad;
      local.shardSize = job.shardSize;
      boolean zip = job.dest.substring(job.dest.lastIndexOf('.') + 1).equals("zip");
      if (remoteDest && !zip && !AtomicFiles.list(job.dest).isEmpty()) {
        throw new IllegalArgumentException("--dest folder must be empty: " + job.dest);
      }
      DatasetReport report = runLocal(local, beamArgs);
      if (remoteDest) {
        Path built = Path.of(local.dest);
        if (zip) {
          AtomicFiles.upload(built, job.dest);
        } else {
          try (Stream<Path> s = Files.walk(built)) {
            for (Path f : (Iterable<Path>) s.filter(Files::isRegularFile).sorted()::iterator) {
              AtomicFiles.upload(
                  f,
                  AtomicFiles.resolve(job.dest, built.relativize(f).toString().replace('\\', '/')));
            }
          }
        }
      }
      return report;
    } finally {
      deleteTree(scratch);
    }
  }

  /**
   * Copies a remote {@code --source} into {@code dir}: a folder with all its files (keeping its
   * name, e.g. {@code *_lmdb}), a file with the MNIST labels file beside it when it is MNIST
   * images.
   */
  static String stageSource(String source, Path dir) throws IOException {
    String trimmed = source.replaceAll("/+$", "");
    String name = trimmed.substring(trimmed.lastIndexOf('/') + 1);
    Path local = dir.resolve(name);
    if (AtomicFiles.exists(trimmed)) {
      List<String> files = new java.util.ArrayList<>(List.of(name));
      if (name.matches(".*-images-idx3-ubyte(\\.gz)?")) {
        String labels = name.replace("-images-idx3-ubyte", "-labels-idx1-ubyte");
        if (AtomicFiles.exists(
            AtomicFiles.resolve(trimmed.substring(0, trimmed.lastIndexOf('/')), labels))) {
          files.add(labels);
        }
      }
      String parent = trimmed.substring(0, trimmed.lastIndexOf('/'));
      for (String f : files) {
        copy(AtomicFiles.resolve(parent, f), dir.resolve(f));
      }
      return local.toString();
    }
    List<String> files = AtomicFiles.list(trimmed);
    if (files.isEmpty()) {
      throw new IOException("Missing input file or directory: --source=" + source);
    }
    System.err.printf("dataset: copying %d files of %s to %s%n", files.size(), source, local);
    for (String f : files) {
      copy(AtomicFiles.resolve(trimmed, f), local.resolve(f));
    }
    return local.toString();
  }

  private static void copy(String from, Path to) throws IOException {
    Files.createDirectories(to.getParent());
    try (java.io.InputStream in = AtomicFiles.open(from)) {
      Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static DatasetReport runLocal(Job job, List<String> beamArgs) throws IOException {
    // The reference: a ZIP when the text after the last '.' is "zip", else a folder.
    boolean zip = job.dest.substring(job.dest.lastIndexOf('.') + 1).equals("zip");
    Path dest = Path.of(job.dest).toAbsolutePath().normalize();
    if (!zip && Files.isDirectory(dest) && !isEmptyDir(dest)) {
      throw new IllegalArgumentException("--dest folder must be empty: " + job.dest);
    }
    if (!zip && Files.exists(dest) && !Files.isDirectory(dest)) {
      throw new IllegalArgumentException("--dest=" + job.dest + " exists and is not a folder");
    }
    if (Files.isDirectory(dest) && zip) {
      throw new IllegalArgumentException(
          "--dest=" + job.dest + " names an existing folder, not a ZIP file");
    }
    PipelineOptions options = dev.cdm.pipelines.BeamOptions.parse(beamArgs);
    Files.createDirectories(dest.getParent());
    removeLeftovers(dest);
    String runId = UUID.randomUUID().toString().substring(0, 8);
    Path runDir = dest.resolveSibling("." + dest.getFileName() + ".cdm-" + runId);
    Path workDir = Files.createDirectories(runDir.resolve("work"));
    Files.writeString(runDir.resolve(OWNER), ownerId());
    Path output = runDir.resolve(zip ? "out.zip" : "out");
    // An interrupted run (Ctrl-C) removes its scratch folder too; the destination never appeared.
    Thread cleanup =
        new Thread(
            () -> {
              try {
                deleteTree(runDir);
              } catch (IOException e) {
                System.err.println("dataset: could not remove " + runDir + ": " + e.getMessage());
              }
            },
            "cdm-dataset-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    try {
      long t0 = System.nanoTime();
      PreparedSource source =
          DatasetSources.prepare(
              job.source, job.maxImages == null ? Long.MAX_VALUE : job.maxImages, workDir);
      System.err.printf(
          "dataset: %s, %d images to convert (listed in %.1fs)%n",
          source.description(), source.size(), (System.nanoTime() - t0) / 1e9);
      DatasetConversion conversion =
          DatasetConversion.builder()
              .setSource(source)
              .setTransform(job.transform)
              .setWorkDir(workDir.toString())
              .setOutput(output.toString())
              .setOutputZip(zip)
              .setSkipBad(job.skipBad)
              .setShardSize(
                  job.shardSize != null
                      ? job.shardSize
                      : DatasetConversion.defaultShardSize(source.size()))
              .setRunId(runId)
              .build();
      convert(conversion, options).print();
      DatasetReport report = DatasetReport.load(workDir.resolve("report.json"));
      if (zip) {
        Files.move(
            output, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } else {
        Files.deleteIfExists(dest); // an existing empty folder, checked above
        Files.move(output, dest, StandardCopyOption.ATOMIC_MOVE);
      }
      return report;
    } finally {
      ProgressMeter.release(runId);
      deleteTree(runDir);
      try {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      } catch (IllegalStateException e) {
        // already shutting down: the hook runs anyway
      }
    }
  }

  /**
   * Runs the conversion's pipeline to its end ({@link PipelineRuns#runToEnd}). A bad input that a
   * step reports (an unreadable or mismatched image, a truncated file: an {@link
   * IllegalArgumentException} or {@link IOException} whose message names it) fails with that
   * message alone, as the reference's tool says it; anything else (an {@link Error}, a bug) with
   * the line that names the step that threw. Returns the run's counters ({@code dataset.images},
   * ...).
   */
  static PipelineCounters convert(DatasetConversion conversion, PipelineOptions options) {
    Pipeline pipeline = Pipeline.create(options);
    pipeline.apply("Dataset", ConvertDataset.of(conversion));
    try {
      return PipelineCounters.of(PipelineRuns.runToEnd(pipeline, "the dataset pipeline"));
    } catch (PipelineRuns.Failed e) {
      Throwable cause = e.getCause() == null ? null : CommandErrors.cause(e.getCause());
      if (cause instanceof IllegalArgumentException || cause instanceof IOException) {
        throw new DatasetException(CommandErrors.message(cause), e);
      }
      throw e;
    }
  }

  /** The file in a scratch folder that names the process that owns it. */
  private static final String OWNER = "owner";

  /** {@code pid@host} of this JVM. */
  private static String ownerId() {
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "localhost";
    }
    return ProcessHandle.current().pid() + "@" + host;
  }

  /**
   * Removes the scratch folders of earlier runs on the same destination that were killed before
   * they could clean up ({@code kill -9}, a lost machine), and says so. A folder whose owner
   * process is still alive on this host is another run in progress and stays.
   */
  static void removeLeftovers(Path dest) throws IOException {
    String prefix = "." + dest.getFileName() + ".cdm-";
    List<Path> stale = new java.util.ArrayList<>();
    try (DirectoryStream<Path> ds =
        Files.newDirectoryStream(
            dest.getParent(),
            p -> p.getFileName().toString().startsWith(prefix) && Files.isDirectory(p))) {
      for (Path p : ds) {
        if (!ownerAlive(p.resolve(OWNER))) {
          stale.add(p);
        }
      }
    }
    for (Path p : stale) {
      long bytes;
      try (Stream<Path> w = Files.walk(p)) {
        bytes = w.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
      }
      deleteTree(p);
      System.err.printf(
          "dataset: removed %s (%.1f MB), left by an interrupted run%n", p, bytes / 1e6);
    }
  }

  private static boolean ownerAlive(Path ownerFile) {
    try {
      String[] owner = Files.readString(ownerFile).trim().split("@", 2);
      String me = ownerId();
      if (owner.length != 2 || !me.substring(me.indexOf('@') + 1).equals(owner[1])) {
        // Another host's run (shared folder) cannot be checked: leave it alone.
        return owner.length == 2;
      }
      return ProcessHandle.of(Long.parseLong(owner[0])).map(ProcessHandle::isAlive).orElse(false);
    } catch (IOException | NumberFormatException e) {
      return false; // no owner file: a run from before owner files, or one killed while starting
    }
  }

  private static boolean isEmptyDir(Path dir) throws IOException {
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      return !ds.iterator().hasNext();
    }
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}

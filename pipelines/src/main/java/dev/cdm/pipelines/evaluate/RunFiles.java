package dev.cdm.pipelines.evaluate;

import dev.cdm.transforms.io.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;

/**
 * The files of a run directory and of the evaluation output, local or on any Beam file system
 * (gs://): listing the published snapshots, reading small text files, writing atomically.
 */
public final class RunFiles {
  /**
   * Written by the training loop after its last snapshot: the evaluation of a run that finished
   * stops once every snapshot is evaluated.
   */
  public static final String DONE_MARKER = dev.cdm.model.training.TrainingLoop.DONE_MARKER;

  private RunFiles() {}

  /** {@code dir/name} for local paths and URIs alike. */
  public static String resolve(String dir, String name) {
    return dir.endsWith("/") ? dir + name : dir + "/" + name;
  }

  /** The snapshots in {@code dir}, by kimg. */
  public static List<Snapshot> snapshots(String dir) throws IOException {
    List<Snapshot> out = new ArrayList<>();
    if (Snapshot.isFile(dir)) {
      MatchResult one = FileSystems.match(dir, EmptyMatchTreatment.ALLOW);
      if (one.status() != MatchResult.Status.OK || one.metadata().isEmpty()) {
        throw new IOException("--snapshots=" + dir + ": no such file");
      }
      MatchResult.Metadata m = one.metadata().get(0);
      out.add(
          Snapshot.file(
              m.resourceId().toString(),
              m.resourceId().getFilename(),
              m.sizeBytes(),
              m.lastModifiedMillis()));
      return out;
    }
    MatchResult match =
        FileSystems.match(resolve(dir, "network-snapshot-*"), EmptyMatchTreatment.ALLOW);
    if (match.status() != MatchResult.Status.OK) {
      if (match.status() == MatchResult.Status.NOT_FOUND) {
        return out;
      }
      throw new IOException(
          "--snapshots=" + dir + ": cannot list snapshots (" + match.status() + ")");
    }
    for (MatchResult.Metadata m : match.metadata()) {
      String name = m.resourceId().getFilename();
      Snapshot s =
          Snapshot.of(m.resourceId().toString(), name, m.sizeBytes(), m.lastModifiedMillis());
      if (s != null) {
        out.add(s);
      }
    }
    out.sort(Comparator.comparingDouble(Snapshot::kimg).thenComparing(Snapshot::name));
    return out;
  }

  /** The text of {@code location}, or null when it does not exist. */
  public static String readText(String location) throws IOException {
    MatchResult match = FileSystems.match(location, EmptyMatchTreatment.ALLOW);
    if (match.status() != MatchResult.Status.OK || match.metadata().isEmpty()) {
      return null;
    }
    try (InputStream in =
        Channels.newInputStream(FileSystems.open(match.metadata().get(0).resourceId()))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  public static boolean exists(String location) throws IOException {
    return AtomicFiles.exists(location);
  }

  public static void writeText(String location, String text) throws IOException {
    AtomicFiles.write(location, text.getBytes(StandardCharsets.UTF_8));
  }
}

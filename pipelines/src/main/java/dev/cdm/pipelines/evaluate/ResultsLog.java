package dev.cdm.pipelines.evaluate;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code results.jsonl}: one JSON object per evaluated snapshot, in evaluation order. Rewritten
 * whole (atomically) when a row is added, so it works on object stores too; a restarted evaluation
 * skips the snapshots named in it. {@link #failures} is the same kind of log for the snapshots
 * whose evaluation failed ({@code {"snapshot", "kimg", "error"}}).
 */
public final class ResultsLog {
  public static final String FILE = "results.jsonl";

  /** The snapshots of this evaluation run that could not be evaluated (retried by a restart). */
  public static final String FAILURES = "failures.jsonl";

  /** Adding rows is a read-modify-write: one at a time per JVM (also across DoFn instances). */
  private static final Object LOCK = new Object();

  private final String location;

  public ResultsLog(String outdir) {
    this(outdir, FILE);
  }

  private ResultsLog(String outdir, String file) {
    this.location = RunFiles.resolve(outdir, file);
  }

  /** The log of failed evaluations in {@code outdir}. */
  public static ResultsLog failures(String outdir) {
    return new ResultsLog(outdir, FAILURES);
  }

  /** Removes the file (a new evaluation run retries what failed before). */
  public void clear() throws IOException {
    if (RunFiles.exists(location)) {
      org.apache.beam.sdk.io.FileSystems.delete(
          List.of(org.apache.beam.sdk.io.FileSystems.matchNewResource(location, false)));
    }
  }

  public String location() {
    return location;
  }

  /** The rows so far (none when the file does not exist). */
  public List<JsonObject> rows() throws IOException {
    String text = RunFiles.readText(location);
    List<JsonObject> rows = new ArrayList<>();
    if (text == null) {
      return rows;
    }
    int n = 0;
    for (String line : text.split("\n")) {
      n++;
      if (line.isBlank()) {
        continue;
      }
      try {
        JsonElement e = JsonParser.parseString(line);
        rows.add(e.getAsJsonObject());
      } catch (RuntimeException e) {
        throw new IOException(
            location + " line " + n + ": not a JSON object: " + e.getMessage(), e);
      }
    }
    return rows;
  }

  /** The snapshot names already evaluated. */
  public Set<String> evaluated() throws IOException {
    Set<String> names = new LinkedHashSet<>();
    for (JsonObject row : rows()) {
      if (row.has("snapshot")) {
        names.add(row.get("snapshot").getAsString());
      }
    }
    return names;
  }

  /** The row of {@code snapshot}, or null. */
  public JsonObject row(String snapshot) throws IOException {
    for (JsonObject r : rows()) {
      if (r.has("snapshot") && r.get("snapshot").getAsString().equals(snapshot)) {
        return r;
      }
    }
    return null;
  }

  /**
   * Adds a row, replacing an earlier row of the same snapshot (so a retried step does not add a
   * second line); returns all rows.
   */
  public List<JsonObject> append(JsonObject row) throws IOException {
    synchronized (LOCK) {
      return appendLocked(row);
    }
  }

  private List<JsonObject> appendLocked(JsonObject row) throws IOException {
    List<JsonObject> all = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    String name = row.get("snapshot").getAsString();
    for (JsonObject r : rows()) {
      if (!r.has("snapshot") || !r.get("snapshot").getAsString().equals(name)) {
        text.append(r).append('\n');
        all.add(r);
      }
    }
    text.append(row).append('\n');
    all.add(row);
    RunFiles.writeText(location, text.toString());
    return all;
  }
}

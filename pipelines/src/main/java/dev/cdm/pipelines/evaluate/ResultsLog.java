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
 * whole (atomically) when a row is added, so it works on object stores too; a restarted
 * evaluation skips the snapshots named in it.
 */
public final class ResultsLog {
  public static final String FILE = "results.jsonl";

  private final String location;

  public ResultsLog(String outdir) {
    this.location = RunFiles.resolve(outdir, FILE);
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
        throw new IOException(location + " line " + n + ": not a JSON object: " + e.getMessage(), e);
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

  /** Adds a row (replacing an earlier row of the same snapshot). */
  public synchronized void append(JsonObject row) throws IOException {
    StringBuilder text = new StringBuilder();
    String name = row.get("snapshot").getAsString();
    for (JsonObject r : rows()) {
      if (!r.has("snapshot") || !r.get("snapshot").getAsString().equals(name)) {
        text.append(r).append('\n');
      }
    }
    text.append(row).append('\n');
    RunFiles.writeText(location, text.toString());
  }
}

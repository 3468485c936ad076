package dev.cdm.transforms.dataset;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/** What a conversion wrote and skipped; the final writer saves it as JSON beside the shards. */
public final class DatasetReport implements Serializable {
  private static final long serialVersionUID = 1L;

  public long inputs;
  public long images;
  public long skippedByTransform;
  public long bad;
  public List<String> badExamples = new ArrayList<>();
  public String attrs;
  public boolean labels;

  public void save(Path file) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    new ObjectMapper().writeValue(tmp.toFile(), this);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  public static DatasetReport load(Path file) throws IOException {
    return new ObjectMapper().readValue(file.toFile(), DatasetReport.class);
  }

  /** Human-readable summary for stderr. */
  public String summary() {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            "%d images written (%s, labels: %s)",
            images, attrs == null ? "none" : attrs, labels ? "yes" : "null"));
    if (skippedByTransform > 0) {
      sb.append(String.format("; %d skipped as too small for the transform", skippedByTransform));
    }
    if (bad > 0) {
      sb.append(String.format("; %d bad inputs skipped (--skip-bad):", bad));
      for (String b : badExamples) {
        sb.append("\n  ").append(b);
      }
      if (badExamples.size() < bad) {
        sb.append("\n  ... and ").append(bad - badExamples.size()).append(" more");
      }
    }
    return sb.toString();
  }
}

package dev.cdm.model.torch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Only {@code dev.cdm.model.torch} refers to the PyTorch engine's classes ({@code ai.djl.pytorch}):
 * every main source file of every module is read, comments and string literals are dropped (a
 * system property such as {@code "ai.djl.pytorch.cudnn_benchmark"} is not a class reference), and
 * what remains must not name the package, by import or fully qualified. Test sources may (an audit
 * instruments DJL's JNI).
 */
class EngineInternalsConfinedTest {
  private static final Pattern PYTORCH =
      Pattern.compile("\\bai\\s*\\.\\s*djl\\s*\\.\\s*pytorch\\b");
  private static final String OWNER = "model/src/main/java/dev/cdm/model/torch/";

  @Test
  void onlyTheTorchPackageRefersToThePyTorchEngine() throws IOException {
    Path root = repositoryRoot();
    List<String> offenders = new ArrayList<>();
    int ownerFiles = 0;
    for (Path file : mainSources(root)) {
      String rel = root.relativize(file).toString().replace('\\', '/');
      boolean refers = PYTORCH.matcher(code(Files.readString(file))).find();
      if (rel.startsWith(OWNER)) {
        ownerFiles += refers ? 1 : 0;
      } else if (refers || rel.contains("/src/main/java/ai/djl/")) {
        offenders.add(rel);
      }
    }
    assertTrue(
        ownerFiles > 0,
        "the scan found no reference even in " + OWNER + " (is the tree where expected?)");
    assertEquals(
        List.of(),
        offenders,
        "these files use ai.djl.pytorch; move the engine-specific part into dev.cdm.model.torch");
  }

  @Test
  void commentsAndStringsAreNotReferences() {
    assertFalse(
        PYTORCH
            .matcher(
                code(
                    "// ai.djl.pytorch.jni\n/* ai.djl.pytorch */ String p = \"ai.djl.pytorch.x\";"
                        + " char c = '\"'; String t = \"\"\"\n ai.djl.pytorch\n\"\"\";"))
            .find());
    assertTrue(PYTORCH.matcher(code("if (ai.djl.pytorch.jni.JniUtils.isGradMode()) {}")).find());
    assertTrue(PYTORCH.matcher(code("import ai.djl.pytorch.jni.IValue;")).find());
    assertTrue(
        PYTORCH.matcher(code("String s = \"a\\\"b\"; ai.djl.pytorch.engine.PtNDArray a;")).find());
  }

  /** The source with comments, string, text-block and char literals blanked out. */
  static String code(String src) {
    StringBuilder out = new StringBuilder(src.length());
    int i = 0;
    int n = src.length();
    while (i < n) {
      char c = src.charAt(i);
      if (src.startsWith("//", i)) {
        int end = src.indexOf('\n', i);
        i = end < 0 ? n : end;
      } else if (src.startsWith("/*", i)) {
        int end = src.indexOf("*/", i + 2);
        i = end < 0 ? n : end + 2;
        out.append(' ');
      } else if (src.startsWith("\"\"\"", i)) {
        int end = src.indexOf("\"\"\"", i + 3);
        i = end < 0 ? n : end + 3;
        out.append("\"\"");
      } else if (c == '"' || c == '\'') {
        int j = i + 1;
        while (j < n && src.charAt(j) != c) {
          j += src.charAt(j) == '\\' ? 2 : 1;
        }
        i = j + 1;
        out.append(c).append(c);
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  private static List<Path> mainSources(Path root) throws IOException {
    try (Stream<Path> modules = Files.list(root)) {
      List<Path> out = new ArrayList<>();
      for (Path main :
          modules
              .map(m -> m.resolve("src/main/java"))
              .filter(Files::isDirectory)
              .collect(Collectors.toList())) {
        try (Stream<Path> files = Files.walk(main)) {
          files.filter(f -> f.toString().endsWith(".java")).forEach(out::add);
        } catch (UncheckedIOException e) {
          throw e.getCause();
        }
      }
      return out;
    }
  }

  /** The directory holding the parent pom and the model module (tests run in model/). */
  private static Path repositoryRoot() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("pom.xml")) && Files.isDirectory(p.resolve(OWNER))) {
        return p;
      }
    }
    throw new IllegalStateException("no repository root above " + Path.of("").toAbsolutePath());
  }
}

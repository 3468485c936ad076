package dev.cdm.pipelines.train;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Named run configurations: {@code templates/NAME.args} (one flag per line, {@code #} comments),
 * packaged on the classpath; a path to such a file works too.
 */
public final class Templates {
  /** The paper's runs shipped with the project. */
  public static final List<String> NAMES =
      List.of(
          "cifar10-32x32-cond-vp",
          "cifar10-32x32-uncond-vp",
          "afhqv2-64x64-uncond-vp",
          "ffhq-64x64");

  private Templates() {}

  public static List<String> load(String nameOrPath) throws IOException {
    String text;
    Path p = Path.of(nameOrPath);
    if (Files.isRegularFile(p)) {
      text = Files.readString(p);
    } else {
      try (InputStream in =
          Templates.class.getResourceAsStream("/templates/" + nameOrPath + ".args")) {
        if (in == null) {
          throw new IOException(
              "--template: no template named '"
                  + nameOrPath
                  + "' (known: "
                  + String.join(", ", NAMES)
                  + ") and no such file");
        }
        text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    }
    List<String> args = new ArrayList<>();
    for (String line : text.split("\n")) {
      String l = line.strip();
      if (!l.isEmpty() && !l.startsWith("#")) {
        args.add(l);
      }
    }
    return args;
  }
}

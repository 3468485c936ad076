package dev.cdm.pipelines.demo;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.cdm.transforms.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The demo's {@code report.html}: FID-MNIST against kimg, the training loss, a table of every
 * evaluated snapshot with its class accuracies, the sample grids (one row per class), and how to
 * run the same at full scale. Self-contained apart from the grid PNGs beside it (in {@code eval/}).
 */
final class DemoReport {
  private DemoReport() {}

  static void write(
      Path file,
      List<SnapshotScore> results,
      Path stats,
      DemoCommand.Settings s,
      double budgetMinutes,
      double usedMinutes,
      String device)
      throws IOException {
    List<double[]> loss = loss(stats);
    SnapshotScore untrained = results.get(0);
    List<double[]> fid = new ArrayList<>();
    for (SnapshotScore r : results) {
      fid.add(new double[] {Math.max(r.kimg(), 0), r.fidMnist()});
    }
    StringBuilder h = new StringBuilder();
    h.append(
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>cdm demo report</title>\n")
        .append("<style>body{font-family:sans-serif;max-width:980px;margin:2em auto;color:#222}")
        .append(
            "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 7px;text-align:right}")
        .append("img{image-rendering:pixelated;width:320px;border:1px solid #ccc}")
        .append(
            ".g{display:inline-block;margin:0 1em 1em 0;text-align:center}code{background:#f3f3f3}</style>")
        .append("</head><body>\n<h1>cdm demo: class-conditional CDM on MNIST</h1>\n");
    h.append(
        String.format(
            Locale.ROOT,
            "<p>Device: %s. Budget %.1f min, used %.1f min. Model: DDPM++ U-Net,"
                + " %d base channels, channel multipliers %s, %d block(s) per resolution, batch %d, learning rate %s;"
                + " %s with %d martingale steps. Evaluation (<code>cdm evaluate</code>'s pipeline): %d samples (seeds 0..%d, each of its drawn class),"
                + " EDM sampler with %d steps.</p>\n",
            esc(device),
            budgetMinutes,
            usedMinutes,
            s.cbase(),
            s.cres(),
            s.numBlocks(),
            s.batch(),
            s.lr(),
            s.cdmShare() >= 1
                ? "CDM loss"
                : String.format(
                    Locale.ROOT,
                    "the EDM loss for the first %.0f%% of the training time, then the CDM loss",
                    100 * (1 - s.cdmShare())),
            s.martingaleSteps(),
            s.samples(),
            s.samples() - 1,
            s.samplerSteps()));
    h.append(
        "<p><b>FID-MNIST</b> is the Fréchet distance between the features (penultimate layer) of the"
            + " project's own MNIST classifier (<code>--detector=mnist</code>), not Inception-v3: it is not"
            + " comparable with published FIDs. It is computed from "
            + untrained.images()
            + " samples against the"
            + " 60,000 training digits, so even perfect samples score above the test-set floor given in the README."
            + " Class accuracy: how often the classifier recognises the digit each sample was generated for"
            + " (chance: 10%).</p>\n");
    h.append("<h2>FID-MNIST against training progress</h2>\n")
        .append(chart(fid, "kimg", "FID-MNIST", "untrained network at kimg 0"));
    h.append("<h2>Training loss</h2>\n")
        .append(
            loss.isEmpty()
                ? "<p>(no stats.jsonl)</p>"
                : chart(loss, "kimg", "loss (mean per tick)", null));
    h.append(
        "<h2>Snapshots</h2>\n<table><tr><th>snapshot</th><th>kimg</th><th>FID-MNIST</th>"
            + "<th>class accuracy</th>");
    for (int c = 0; c < 10; c++) {
      h.append("<th>").append(c).append("</th>");
    }
    h.append("</tr>\n");
    for (SnapshotScore r : results) {
      h.append(
          String.format(
              Locale.ROOT,
              "<tr><td>%s</td><td>%s</td><td>%.2f</td><td>%.1f%%</td>",
              esc(r.snapshot()),
              r.kimg() < 0 ? "untrained" : String.format(Locale.ROOT, "%.2f", r.kimg()),
              r.fidMnist(),
              100 * r.accuracy()));
      for (double a : r.classAccuracy()) {
        h.append(
            Double.isNaN(a)
                ? "<td>-</td>"
                : String.format(Locale.ROOT, "<td>%.0f%%</td>", 100 * a));
      }
      h.append("</tr>\n");
    }
    h.append("</table>\n<h2>Samples (one row per class, 0 at the top)</h2>\n");
    for (SnapshotScore r : results) {
      h.append(
          String.format(
              Locale.ROOT,
              "<div class=\"g\"><img src=\"%s\" alt=\"%s\"><br>%s<br>FID-MNIST %.2f,"
                  + " accuracy %.0f%%</div>\n",
              esc(r.grid()),
              esc(r.snapshot()),
              r.kimg() < 0 ? "untrained" : String.format(Locale.ROOT, "kimg %.2f", r.kimg()),
              r.fidMnist(),
              100 * r.accuracy()));
    }
    h.append(
            "<h2>The same at full scale</h2>\n<p>On a GPU machine, the same demo: <code>./cdm demo --device=gpu</code>."
                + " The paper's setup, step by step (docs/commands.md has every flag):</p>\n<pre>")
        .append(
            esc(
                "./cdm dataset --source=cifar-10-python.tar.gz --dest=datasets/cifar10-32x32.zip\n"
                    + "./cdm train --template=cifar10-32x32-cond-vp --precond=cdm --data=datasets/cifar10-32x32.zip --outdir=runs   # every GPU of the host\n"
                    + "./cdm generate --network=runs/.../network-snapshot-NNNNNN.safetensors --outdir=out --seeds=0-49999 --device=gpu\n"
                    + "./cdm ref --data=datasets/cifar10-32x32.zip --dest=cifar10-ref.npz --device=gpu\n"
                    + "./cdm fid --images=out --ref=cifar10-ref.npz --device=gpu\n"
                    + "# on a Flink cluster (infra/flink/cluster.sh): add --runner=FlinkRunner --flinkMaster=host:port to dataset/generate/ref/fid"))
        .append("</pre>\n</body></html>\n");
    AtomicFiles.write(file.toString(), h.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** (kimg, mean loss) per tick of the training's stats.jsonl. */
  static List<double[]> loss(Path stats) throws IOException {
    List<double[]> out = new ArrayList<>();
    if (!Files.isRegularFile(stats)) {
      return out;
    }
    for (String line : Files.readAllLines(stats, StandardCharsets.UTF_8)) {
      if (line.isBlank()) {
        continue;
      }
      JsonObject o = JsonParser.parseString(line).getAsJsonObject();
      JsonElement l = o.get("Loss/loss");
      JsonElement k = o.get("Progress/kimg");
      if (l != null
          && k != null
          && l.getAsJsonObject().has("mean")
          && l.getAsJsonObject().get("num").getAsDouble() > 0) {
        out.add(
            new double[] {
              k.getAsJsonObject().get("mean").getAsDouble(),
              l.getAsJsonObject().get("mean").getAsDouble()
            });
      }
    }
    return out;
  }

  /** A line chart of (x, y) points as inline SVG. */
  static String chart(List<double[]> points, String xLabel, String yLabel, String note) {
    int w = 640;
    int ht = 280;
    int l = 60;
    int b = 40;
    double xMax = 1e-9;
    double yMin = Double.MAX_VALUE;
    double yMax = -Double.MAX_VALUE;
    for (double[] p : points) {
      xMax = Math.max(xMax, p[0]);
      yMin = Math.min(yMin, p[1]);
      yMax = Math.max(yMax, p[1]);
    }
    yMin = Math.min(0, yMin);
    if (yMax <= yMin) {
      yMax = yMin + 1;
    }
    StringBuilder svg =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "<svg width=\"%d\" height=\"%d\" xmlns=\"http://www.w3.org/2000/svg\" font-size=\"12\">",
                w,
                ht));
    svg.append(
        String.format(
            Locale.ROOT,
            "<line x1=\"%d\" y1=\"10\" x2=\"%d\" y2=\"%d\" stroke=\"#000\"/>",
            l,
            l,
            ht - b));
    svg.append(
        String.format(
            Locale.ROOT,
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000\"/>",
            l,
            ht - b,
            w - 10,
            ht - b));
    StringBuilder path = new StringBuilder();
    for (double[] p : points) {
      double x = l + (w - 10 - l) * p[0] / xMax;
      double y = ht - b - (ht - b - 10) * (p[1] - yMin) / (yMax - yMin);
      path.append(path.length() == 0 ? "M" : " L")
          .append(String.format(Locale.ROOT, "%.1f %.1f", x, y));
      svg.append(
          String.format(
              Locale.ROOT,
              "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"#1f5fa8\"><title>%s %.3f: %s %.4g</title></circle>",
              x,
              y,
              xLabel,
              p[0],
              yLabel,
              p[1]));
    }
    svg.append("<path d=\"")
        .append(path)
        .append("\" fill=\"none\" stroke=\"#1f5fa8\" stroke-width=\"2\"/>");
    svg.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"%d\">0</text><text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.2f</text>",
            l,
            ht - b + 15,
            w - 10,
            ht - b + 15,
            xMax));
    svg.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.3g</text><text x=\"%d\" y=\"20\" text-anchor=\"end\">%.3g</text>",
            l - 4,
            ht - b,
            yMin,
            l - 4,
            yMax));
    svg.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>",
            (l + w) / 2,
            ht - 8,
            esc(xLabel)));
    svg.append(
        String.format(
            Locale.ROOT,
            "<text x=\"14\" y=\"%d\" transform=\"rotate(-90 14 %d)\" text-anchor=\"middle\">%s</text>",
            (ht - b) / 2,
            (ht - b) / 2,
            esc(yLabel)));
    svg.append("</svg>");
    return svg + (note == null ? "" : "<br><small>" + esc(note) + "</small>") + "\n";
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}

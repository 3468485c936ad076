package dev.cdm.pipelines.evaluate;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.cdm.model.training.KimgFileName;
import dev.cdm.pipelines.fid.FidResults;
import dev.cdm.transforms.io.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * {@code report.html} of an evaluation: a chart of FID (mean with a +-std band, and min) and the
 * training loss against kimg (PNG, drawn with JFreeChart), a table of every snapshot's scores, and
 * the 8x8 grids of all snapshots. Rewritten whole after each evaluation.
 */
public final class EvaluationReport {
  public static final String HTML = "report.html";
  public static final String CHART = "report-fid.png";

  private final String outdir;
  private final String runDir;
  private static volatile boolean chartWarned;

  /** {@code runDir} holds the training's {@code stats.jsonl} (the loss), when there is one. */
  public EvaluationReport(String outdir, String runDir) {
    this.outdir = outdir;
    this.runDir = runDir;
  }

  /** Writes the chart and the page for these results.jsonl rows. */
  public void write(List<JsonObject> rows) throws IOException {
    List<JsonObject> sorted = new ArrayList<>(rows);
    sorted.sort(Comparator.comparingDouble(r -> r.get("kimg").getAsDouble()));
    try {
      AtomicFiles.write(RunFiles.resolve(outdir, CHART), chartPng(sorted, loss(), 900, 500));
    } catch (LinkageError | RuntimeException e) {
      // A Java runtime without its font libraries (a minimal JRE on a GPU node: no libharfbuzz)
      // cannot draw text; the scores are already in results.jsonl, and the page still lists them.
      if (!chartWarned) {
        chartWarned = true;
        System.err.println(
            "cdm evaluate: no chart in "
                + HTML
                + " ("
                + e
                + "); install the JRE's font"
                + " libraries (fontconfig, libharfbuzz) to get it");
      }
    }
    RunFiles.writeText(RunFiles.resolve(outdir, HTML), html(sorted));
  }

  /** (kimg, mean loss) per tick from the run's stats.jsonl; empty when there is none. */
  List<double[]> loss() throws IOException {
    List<double[]> points = new ArrayList<>();
    if (runDir == null) {
      return points;
    }
    String text = RunFiles.readText(RunFiles.resolve(runDir, "stats.jsonl"));
    if (text == null) {
      return points;
    }
    for (String line : text.split("\n")) {
      try {
        JsonObject o = JsonParser.parseString(line).getAsJsonObject();
        JsonElement kimg =
            o.has("Progress/kimg") ? o.getAsJsonObject("Progress/kimg").get("mean") : null;
        JsonElement loss = o.has("Loss/loss") ? o.getAsJsonObject("Loss/loss").get("mean") : null;
        if (kimg != null && loss != null) {
          points.add(new double[] {kimg.getAsDouble(), loss.getAsDouble()});
        }
      } catch (RuntimeException e) {
        // A line being appended right now: skip it, the next report has it.
      }
    }
    return points;
  }

  static byte[] chartPng(List<JsonObject> rows, List<double[]> loss, int width, int height)
      throws IOException {
    String fid = fidName(rows);
    YIntervalSeries band = new YIntervalSeries(fid + " mean +- std");
    XYSeries min = new XYSeries(fid + " min");
    for (JsonObject r : rows) {
      double k = r.get("kimg").getAsDouble();
      double mean = r.get("fid_mean").getAsDouble();
      double std = r.get("fid_std").getAsDouble();
      band.add(k, mean, mean - std, mean + std);
      min.add(k, r.get("fid_min").getAsDouble());
    }
    YIntervalSeriesCollection bands = new YIntervalSeriesCollection();
    bands.addSeries(band);
    DeviationRenderer bandRenderer = new DeviationRenderer(true, true);
    bandRenderer.setSeriesPaint(0, new Color(0x1f, 0x77, 0xb4));
    bandRenderer.setSeriesFillPaint(0, new Color(0x1f, 0x77, 0xb4));
    bandRenderer.setAlpha(0.25f);
    NumberAxis kimgAxis = new NumberAxis("kimg");
    NumberAxis fidAxis = new NumberAxis(fid);
    fidAxis.setAutoRangeIncludesZero(false);
    XYPlot plot = new XYPlot(bands, kimgAxis, fidAxis, bandRenderer);
    XYLineAndShapeRenderer minRenderer = new XYLineAndShapeRenderer(true, true);
    minRenderer.setSeriesPaint(0, new Color(0x2c, 0xa0, 0x2c));
    plot.setDataset(1, new XYSeriesCollection(min));
    plot.setRenderer(1, minRenderer);
    if (!loss.isEmpty()) {
      XYSeries l = new XYSeries("training loss");
      for (double[] p : loss) {
        l.add(p[0], p[1]);
      }
      NumberAxis lossAxis = new NumberAxis("loss");
      lossAxis.setAutoRangeIncludesZero(false);
      plot.setRangeAxis(1, lossAxis);
      plot.setDataset(2, new XYSeriesCollection(l));
      plot.mapDatasetToRangeAxis(2, 1);
      XYLineAndShapeRenderer lossRenderer = new XYLineAndShapeRenderer(true, false);
      lossRenderer.setSeriesPaint(0, new Color(0xd6, 0x27, 0x28));
      lossRenderer.setSeriesStroke(0, new BasicStroke(1f));
      plot.setRenderer(2, lossRenderer);
    }
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    JFreeChart chart =
        new JFreeChart(fid + " and training loss", JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ChartUtils.writeChartAsPNG(out, chart, width, height);
    return out.toByteArray();
  }

  /** What the FID of these rows is called (FID-MNIST with the MNIST classifier as detector). */
  private static String fidName(List<JsonObject> rows) {
    return rows.isEmpty() ? "FID" : ResultRow.fidName(rows.get(0));
  }

  static String html(List<JsonObject> rows) {
    String fid = fidName(rows);
    StringBuilder b = new StringBuilder();
    b.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>cdm evaluate</title>\n")
        .append("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}")
        .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}")
        .append(".grids{display:flex;flex-wrap:wrap;gap:16px}.grids figure{margin:0}")
        .append(".grids img{width:256px;image-rendering:pixelated}</style></head><body>\n")
        .append("<h1>Evaluation of ")
        .append(rows.size())
        .append(" snapshot")
        .append(rows.size() == 1 ? "" : "s")
        .append("</h1>\n")
        .append("<img src=\"")
        .append(CHART)
        .append("\" alt=\"" + fid + " and training loss against kimg\">\n")
        .append("<table><tr><th>snapshot</th><th>kimg</th>")
        .append("<th>" + fid + " min</th><th>" + fid + " mean</th><th>" + fid + " std</th>")
        .append("<th>IS</th><th>KID</th><th>images</th><th>seconds</th></tr>\n");
    for (JsonObject r : rows) {
      b.append("<tr><td>")
          .append(escape(r.get("snapshot").getAsString()))
          .append("</td><td>")
          .append(KimgFileName.text(r.get("kimg").getAsDouble()))
          .append("</td><td>")
          .append(g(r, "fid_min"))
          .append("</td><td>")
          .append(g(r, "fid_mean"))
          .append("</td><td>")
          .append(g(r, "fid_std"))
          .append("</td><td>")
          .append(r.has("is_mean") ? g(r, "is_mean") + " &plusmn; " + g(r, "is_std") : "&ndash;")
          .append("</td><td>")
          .append(r.has("kid_mean") ? g(r, "kid_mean") + " &plusmn; " + g(r, "kid_std") : "&ndash;")
          .append("</td><td>")
          .append(r.get("images").getAsLong())
          .append("</td><td>")
          .append(g(r, "seconds"))
          .append("</td></tr>\n");
    }
    b.append("</table>\n<h2>Samples (seeds 0&ndash;63)</h2>\n<div class=\"grids\">\n");
    for (JsonObject r : rows) {
      b.append("<figure><img src=\"")
          .append(escape(r.get("grid").getAsString()))
          .append("\" alt=\"grid\"><figcaption>kimg ")
          .append(KimgFileName.text(r.get("kimg").getAsDouble()))
          .append(", " + fid + " ")
          .append(g(r, "fid_mean"))
          .append("</figcaption></figure>\n");
    }
    b.append("</div>\n</body></html>\n");
    return b.toString();
  }

  private static String g(JsonObject r, String key) {
    return FidResults.formatG(r.get(key).getAsDouble());
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}

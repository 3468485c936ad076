package dev.cdm.pipelines.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Flink session cluster of separate JVMs, driven through {@code infra/flink/cluster.sh} as a user
 * drives it, plus the few REST calls the tests need (jobs, where a vertex runs, exceptions).
 */
final class FlinkCluster implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path root;
  private final Path runDir;
  private final int slots;
  private final HttpClient http = HttpClient.newHttpClient();
  private String address;

  FlinkCluster(Path root, Path runDir, int slots) {
    this.root = root;
    this.runDir = runDir;
    this.slots = slots;
  }

  /** The repository root (the pipelines module's parent). */
  static Path repositoryRoot() {
    Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    return Files.exists(dir.resolve("infra/flink/cluster.sh")) ? dir : dir.getParent();
  }

  /** {@code cluster.sh start n}; returns the REST address it printed. */
  String start(int taskManagers) throws IOException, InterruptedException {
    address = script("start", Integer.toString(taskManagers));
    return address;
  }

  /** {@code cluster.sh add n}. */
  void add(int taskManagers) throws IOException, InterruptedException {
    script("add", Integer.toString(taskManagers));
  }

  String address() {
    return address;
  }

  @Override
  public void close() throws IOException, InterruptedException {
    script("stop");
  }

  /** Runs cluster.sh; returns its last stdout line; fails with its output when it fails. */
  private String script(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(root.resolve("infra/flink/cluster.sh").toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(false);
    pb.environment().put("FLINK_RUN_DIR", runDir.toString());
    pb.environment().put("FLINK_SLOTS", Integer.toString(slots));
    pb.redirectError(ProcessBuilder.Redirect.appendTo(runDir.resolve("cluster.sh.err").toFile()));
    Files.createDirectories(runDir);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException(
          "cluster.sh "
              + String.join(" ", args)
              + " failed: "
              + out
              + "\n"
              + Files.readString(runDir.resolve("cluster.sh.err")));
    }
    String[] lines = out.split("\n");
    return lines[lines.length - 1].trim();
  }

  /** SIGKILL to the TaskManager with this resource id (its pid file names it). */
  long kill9(String taskManager) throws IOException {
    long pid = Long.parseLong(Files.readString(runDir.resolve(taskManager + ".pid")).trim());
    ProcessHandle h =
        ProcessHandle.of(pid)
            .orElseThrow(
                () -> new IllegalStateException(taskManager + " (pid " + pid + ") is not running"));
    h.destroyForcibly(); // SIGKILL on Unix
    h.onExit().join();
    return pid;
  }

  JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://" + address + path))
                .timeout(Duration.ofSeconds(20))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("GET " + path + ": HTTP " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body());
  }

  /** The id of the one running job, or null. */
  String runningJob() throws IOException, InterruptedException {
    for (JsonNode j : get("/jobs/overview").get("jobs")) {
      if (j.get("state").asText().equals("RUNNING")) {
        return j.get("jid").asText();
      }
    }
    return null;
  }

  /** The job's vertex whose name contains {@code part}. */
  JsonNode vertex(String jobId, String part) throws IOException, InterruptedException {
    List<String> names = new ArrayList<>();
    for (JsonNode v : get("/jobs/" + jobId).get("vertices")) {
      if (v.get("name").asText().contains(part)) {
        return v;
      }
      names.add(v.get("name").asText());
    }
    throw new IllegalStateException(
        "job " + jobId + " has no vertex named *" + part + "*; its vertices: " + names);
  }

  /** Resource ids of the TaskManagers running a subtask of the vertex. */
  List<String> taskManagersRunning(String jobId, String vertexId)
      throws IOException, InterruptedException {
    List<String> ids = new ArrayList<>();
    for (JsonNode st : get("/jobs/" + jobId + "/vertices/" + vertexId).path("subtasks")) {
      String tm = st.path("taskmanager-id").asText("");
      if (st.path("status").asText().equals("RUNNING") && !tm.isEmpty() && !ids.contains(tm)) {
        ids.add(tm);
      }
    }
    return ids;
  }

  /** The failures the job recovered from (its exception history). */
  int recoveredFailures(String jobId) throws IOException, InterruptedException {
    return get("/jobs/" + jobId + "/exceptions").path("exceptionHistory").path("entries").size();
  }

  /**
   * The {@code cdm} Beam counters of a job, summed over its steps, as Flink holds them: the
   * accumulator {@code __metricscontainers} (the web UI's "Accumulators" tab of the job), a JSON
   * list of Beam monitoring infos whose {@code payload} is the value as a base64 varint. In a batch
   * job each task reports them when it finishes.
   */
  java.util.Map<String, Long> counters(String jobId) throws IOException, InterruptedException {
    java.util.Map<String, Long> sums = new java.util.TreeMap<>();
    for (JsonNode acc : get("/jobs/" + jobId + "/accumulators").path("user-task-accumulators")) {
      if (!acc.path("name").asText().equals("__metricscontainers")) {
        continue;
      }
      for (JsonNode info :
          JSON.readTree(acc.path("value").asText()).path("metrics").path("attempted")) {
        JsonNode labels = info.path("labels");
        if (!labels.path("NAMESPACE").asText().equals("cdm")
            || !info.path("type").asText().contains("sum_int64")) {
          continue;
        }
        long value = 0;
        int shift = 0;
        for (byte b : java.util.Base64.getDecoder().decode(info.path("payload").asText())) {
          value |= (long) (b & 0x7F) << shift;
          shift += 7;
        }
        sums.merge(labels.path("NAME").asText(), value, Long::sum);
      }
    }
    return sums;
  }

  /** The last job (by start time) whose name starts with {@code prefix}. */
  JsonNode lastJob(String prefix) throws IOException, InterruptedException {
    JsonNode best = null;
    for (JsonNode j : get("/jobs/overview").get("jobs")) {
      if (j.get("name").asText().startsWith(prefix)
          && (best == null || j.get("start-time").asLong() > best.get("start-time").asLong())) {
        best = j;
      }
    }
    return best;
  }
}

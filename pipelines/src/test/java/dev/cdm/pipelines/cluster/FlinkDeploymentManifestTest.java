package dev.cdm.pipelines.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code infra/k8s/flinkdeployment.yaml} against the FlinkDeployment schema of the Flink Kubernetes
 * Operator (the CRD its API jar ships), as {@code kubectl apply} would check it.
 */
class FlinkDeploymentManifestTest {
  private static final YAMLMapper YAML = new YAMLMapper();

  static JsonSchema schema() throws Exception {
    JsonNode crd;
    try (InputStream in =
        FlinkDeploymentManifestTest.class.getResourceAsStream(
            "/META-INF/fabric8/flinkdeployments.flink.apache.org-v1.yml")) {
      crd = YAML.readTree(in);
    }
    for (JsonNode v : crd.path("spec").path("versions")) {
      if (v.path("name").asText().equals("v1beta1")) {
        // An OpenAPI v3 schema: JSON Schema draft 4 plus x-kubernetes-* and nullable, ignored here.
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4)
            .getSchema(v.path("schema").path("openAPIV3Schema"));
      }
    }
    throw new AssertionError("the CRD has no v1beta1 version");
  }

  static JsonNode manifest() throws Exception {
    return YAML.readTree(
        FlinkCluster.repositoryRoot()
            .resolve(Path.of("infra", "k8s", "flinkdeployment.yaml"))
            .toFile());
  }

  @Test
  void manifestMatchesTheOperatorsSchema() throws Exception {
    JsonNode m = manifest();
    assertEquals("FlinkDeployment", m.path("kind").asText());
    assertEquals("flink.apache.org/v1beta1", m.path("apiVersion").asText());
    Set<ValidationMessage> errors = schema().validate(m);
    assertEquals(Set.of(), errors);
    // GPU TaskManagers, one slot each.
    assertEquals(
        "1",
        m.at("/spec/taskManager/podTemplate/spec/containers/0/resources/limits")
            .path("nvidia.com/gpu")
            .asText());
    assertEquals(
        "1", m.at("/spec/flinkConfiguration").path("taskmanager.numberOfTaskSlots").asText());
  }

  @Test
  void theSchemaCatchesAWrongManifest() throws Exception {
    ObjectNode m = (ObjectNode) manifest();
    ((ObjectNode) m.path("spec")).put("flinkVersion", "v1_9");
    ((ObjectNode) m.at("/spec/jobManager")).put("replicas", "one");
    Set<ValidationMessage> errors = schema().validate(m);
    assertFalse(errors.isEmpty());
    assertEquals(2, errors.size(), errors.toString());
  }
}

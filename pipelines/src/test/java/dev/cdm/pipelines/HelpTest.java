package dev.cdm.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** The help of every command: one default style, real labels, one spelling rule, one --device. */
class HelpTest {
  static Map<String, CommandLine> commands() {
    return Cdm.commandLine().getSubcommands();
  }

  @Test
  void everyOptionHasARealLabelAndOneDefaultStyle() {
    for (Map.Entry<String, CommandLine> c : commands().entrySet()) {
      for (OptionSpec o : c.getValue().getCommandSpec().options()) {
        String where = "cdm " + c.getKey() + " " + o.longestName();
        if (o.arity().max() > 0) {
          String label = o.paramLabel();
          assertFalse(label.startsWith("<"), where + ": placeholder label " + label);
          assertFalse(
              label.matches(".*[a-z]_[a-z].*") || label.matches("S_[a-z]+"),
              where + ": label " + label);
        }
        String text = String.join(" ", o.description());
        assertFalse(
            text.contains("[default:"), where + ": write defaults as (default: ...): " + text);
        assertFalse(text.contains("Default:"), where + ": " + text);
      }
    }
  }

  @Test
  void underscoreFlagsHaveTheirKebabAliasEverywhere() {
    for (Map.Entry<String, CommandLine> c : commands().entrySet()) {
      for (OptionSpec o : c.getValue().getCommandSpec().options()) {
        List<String> names = Arrays.asList(o.names());
        for (String n : names) {
          if (n.startsWith("--") && n.contains("_")) {
            String kebab = n.toLowerCase(java.util.Locale.ROOT).replace('_', '-');
            assertTrue(names.contains(kebab), "cdm " + c.getKey() + " " + n + " lacks " + kebab);
          }
        }
      }
    }
  }

  @Test
  void deviceIsTheSameFlagWithTheSameDefaultEverywhere() {
    int seen = 0;
    for (String name : new String[] {"generate", "example", "ref", "fid", "train"}) {
      CommandSpec spec = commands().get(name).getCommandSpec();
      OptionSpec o = spec.findOption("--device");
      assertTrue(o != null, "cdm " + name + " has --device");
      assertEquals("auto", o.defaultValue(), "cdm " + name);
      assertEquals("auto|cpu|gpu|gpu:N", o.paramLabel(), "cdm " + name);
      seen++;
    }
    assertEquals(5, seen);
  }

  @Test
  void requiredOptionsAreShownAsRequired() {
    CommandSpec train = commands().get("train").getCommandSpec();
    assertTrue(train.findOption("--outdir").required());
    assertTrue(train.findOption("--data").required());
    String usage = commands().get("train").getUsageMessage(CommandLine.Help.Ansi.OFF);
    assertTrue(usage.contains(" --data=ZIP|DIR ") || usage.contains(" --data=ZIP|DIR\n"), usage);
    assertFalse(usage.contains("[--data="), usage);
  }
}

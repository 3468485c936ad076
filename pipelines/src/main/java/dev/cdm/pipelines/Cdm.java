package dev.cdm.pipelines;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code cdm} command line: one subcommand per job of the workflow. Every command reports
 * failures through {@link CommandErrors} (one line, exit code 2 for usage errors, 1 for failed
 * work) and accepts {@code --verbose} for stack traces.
 */
@Command(
    name = "cdm",
    mixinStandardHelpOptions = true,
    version = "cdm 0.1.0",
    description =
        "Consistent Diffusion Models (EDM design space + CDM consistency loss) on the JVM.",
    subcommands = {
      CommandLine.HelpCommand.class,
      dev.cdm.pipelines.demo.DemoCommand.class,
      dev.cdm.pipelines.dataset.DatasetCommand.class,
      InspectCommand.class,
      ConvertNetworkCommand.class,
      dev.cdm.pipelines.train.TrainCommand.class,
      dev.cdm.pipelines.generate.GenerateCommand.class,
      dev.cdm.pipelines.example.ExampleCommand.class,
      dev.cdm.pipelines.fid.RefCommand.class,
      dev.cdm.pipelines.fid.FidCommand.class,
      dev.cdm.pipelines.evaluate.EvaluateCommand.class,
      dev.cdm.pipelines.detector.DetectorCommand.class,
    })
public final class Cdm implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--verbose",
      scope = ScopeType.INHERIT,
      description = "Print the stack trace of an error.")
  boolean verbose;

  @Override
  public void run() {
    // No command given: that is a usage error, not a successful run.
    CommandLine cl = spec.commandLine();
    cl.usage(cl.getErr());
    throw new CommandLine.ParameterException(
        cl, "no command given; choose one of " + String.join(", ", cl.getSubcommands().keySet()));
  }

  /** Builds the command line; tests call this to run commands in-process. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Cdm());
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    boolean[] verbose = {false};
    CommandErrors errors = new CommandErrors(verbose);
    cl.setParameterExceptionHandler(
        (e, args) -> {
          verbose[0] = List.of(args).contains("--verbose");
          return errors.handleParseException(e, args);
        });
    cl.setExecutionExceptionHandler(
        (e, c, parseResult) -> {
          verbose[0] = parseResult.originalArgs().contains("--verbose");
          return errors.handleExecutionException(e, c, parseResult);
        });
    return cl;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}

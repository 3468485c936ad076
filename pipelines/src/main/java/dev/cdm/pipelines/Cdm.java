package dev.cdm.pipelines;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code cdm} command line: one subcommand per job of the workflow. */
@Command(
    name = "cdm",
    mixinStandardHelpOptions = true,
    version = "cdm 0.1.0",
    description = "Consistent Diffusion Models (EDM design space + CDM consistency loss) on the JVM.",
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
      dev.cdm.pipelines.detector.DetectorCommand.class,
    })
public final class Cdm implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Builds the command line; tests call this to run commands in-process. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Cdm());
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    return cl;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}

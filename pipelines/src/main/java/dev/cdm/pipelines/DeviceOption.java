package dev.cdm.pipelines;

import ai.djl.Device;
import dev.cdm.fid.Devices;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The {@code --device} flag of every command that runs a network (a picocli mixin): one grammar
 * ({@link Devices}: {@code auto}, {@code cpu}, {@code gpu}, {@code gpu:N[,M...]}) and one default,
 * {@code auto}. A malformed value is a usage error at parse time.
 */
public final class DeviceOption {
  @Option(
      names = "--device",
      defaultValue = Devices.DEFAULT,
      paramLabel = "auto|cpu|gpu|gpu:N",
      converter = Grammar.class,
      description =
          "Where to run: auto (the host's GPUs, else the CPU), cpu, gpu (every GPU;"
              + " one per worker slot) or gpu:N[,M...] (those cards) (default: ${DEFAULT-VALUE}).")
  public String device = Devices.DEFAULT;

  /** The devices this flag names on this host; a usage error when they do not exist. */
  public List<Device> resolve() {
    try {
      return Devices.resolve(device, "--device");
    } catch (IllegalArgumentException e) {
      throw CommandErrors.usage(e.getMessage());
    }
  }

  @Override
  public String toString() {
    return device;
  }

  /** Checks and normalises the text when the command line is parsed. */
  public static final class Grammar implements CommandLine.ITypeConverter<String> {
    @Override
    public String convert(String value) {
      try {
        return Devices.check(value, "--device");
      } catch (IllegalArgumentException e) {
        // picocli prefixes "Invalid value for option '--device': ".
        throw new CommandLine.TypeConversionException(
            "'" + value + "' is not auto, cpu, gpu or gpu:N (e.g. gpu:0 or gpu:0,1)");
      }
    }
  }
}

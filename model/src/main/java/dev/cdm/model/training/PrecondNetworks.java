package dev.cdm.model.training;

import ai.djl.ndarray.NDArray;
import dev.cdm.model.precond.ForwardingDenoiser;
import dev.cdm.model.precond.PaperNetworks;
import dev.cdm.model.precond.Precision;
import dev.cdm.model.precond.Precond;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the networks of {@code train.py}: the architecture presets ({@link
 * PaperNetworks#architecture}) with the option overrides, the preconditioning classes, and adapts
 * {@link Precond} to the training loop.
 */
public final class PrecondNetworks {
  private PrecondNetworks() {}

  /** {@code c.network_kwargs} of train.py (without the dataset's resolution/channels/labels). */
  public static Map<String, Object> networkKwargs(
      String arch,
      Integer cbase,
      List<Integer> cres,
      double dropout,
      boolean fp16,
      boolean augment) {
    Map<String, Object> kw = PaperNetworks.architecture(arch);
    if (cbase != null) {
      kw.put("model_channels", cbase);
    }
    if (cres != null) {
      kw.put("channel_mult", cres);
    }
    if (augment) {
      kw.put("augment_dim", 9);
    }
    kw.put("dropout", dropout);
    kw.put("use_fp16", fp16);
    return kw;
  }

  /** The preconditioning class of {@code --precond} (cdm trains an EDMPrecond). */
  public static String precondClass(String precond) {
    switch (precond) {
      case "vp":
        return "training.networks.VPPrecond";
      case "ve":
        return "training.networks.VEPrecond";
      case "edm":
      case "cdm":
        return "training.networks.EDMPrecond";
      default:
        throw new IllegalArgumentException(
            "--precond must be vp, ve, edm or cdm, got '" + precond + "'");
    }
  }

  /** A factory of fresh replicas: the network kwargs plus the dataset's interface kwargs. */
  public static NetworkFactory factory(
      String className,
      Map<String, Object> networkKwargs,
      int resolution,
      int channels,
      int labelDim,
      Precision precision) {
    Map<String, Object> kw = new LinkedHashMap<>(networkKwargs);
    kw.put("img_resolution", resolution);
    kw.put("img_channels", channels);
    kw.put("label_dim", labelDim);
    return manager -> {
      Precond p = Precond.create(className, kw, manager);
      if (precision != null) {
        p.setPrecision(precision);
      }
      return adapt(p);
    };
  }

  /** The Precond behind an adapted network (for snapshots). */
  public static Precond precond(TrainableNetwork net) {
    return ((Adapter) net).precond;
  }

  public static TrainableNetwork adapt(Precond p) {
    return new Adapter(p);
  }

  private static final class Adapter extends ForwardingDenoiser implements TrainableNetwork {
    final Precond precond;

    Adapter(Precond precond) {
      super(precond);
      this.precond = precond;
    }

    @Override
    public LinkedHashMap<String, NDArray> parameters() {
      return precond.parameters();
    }

    @Override
    public java.util.List<NDArray> parameterArrays() {
      return precond.parameterArrays();
    }

    @Override
    public void setPassWeights(dev.cdm.model.precond.Precond.PassWeights passWeights) {
      precond.setPassWeights(passWeights);
    }

    @Override
    public void setTraining(boolean training) {
      precond.setTraining(training);
    }

    @Override
    public void parametersUpdated() {
      precond.parametersUpdated();
    }

    @Override
    public NDArray replaceParameter(String name, NDArray value) {
      if (!precond.isParameter(name)) {
        throw new IllegalArgumentException("no parameter '" + name + "'");
      }
      return precond.replace(name, value);
    }
  }
}

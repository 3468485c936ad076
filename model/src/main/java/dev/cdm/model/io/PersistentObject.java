package dev.cdm.model.io;

import dev.cdm.model.io.pickle.PickleException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An object pickled through the reference's {@code torch_utils/persistence.py}: the class name, the
 * source text of its module (kept as text, never executed), the constructor arguments that the
 * decorator recorded ({@code _init_args}, {@code _init_kwargs}) and the {@code __dict__} state.
 */
public final class PersistentObject extends PickledObject {
  private static final Set<String> NETWORKS =
      Set.of(
          "Linear",
          "Conv2d",
          "GroupNorm",
          "UNetBlock",
          "PositionalEmbedding",
          "FourierEmbedding",
          "SongUNet",
          "DhariwalUNet",
          "VPPrecond",
          "VEPrecond",
          "iDDPMPrecond",
          "EDMPrecond");
  private static final Set<String> LOSSES = Set.of("VPLoss", "VELoss", "EDMLoss", "MartingaleLoss");

  private final long version;
  private final String moduleSource;

  private PersistentObject(String className, long version, String moduleSource, String source) {
    super(guessModule(className), className, source);
    this.version = version;
    this.moduleSource = moduleSource;
  }

  private static String guessModule(String className) {
    if (NETWORKS.contains(className)) {
      return "training.networks";
    }
    if (LOSSES.contains(className)) {
      return "training.loss";
    }
    if (className.equals("AugmentPipe")) {
      return "training.augment";
    }
    return "<persistent>";
  }

  /** What {@code _reconstruct_persistent_obj(meta)} would build, as data. */
  static PersistentObject fromMeta(Object metaObj, String source) throws PickleException {
    if (!(metaObj instanceof Map)) {
      throw new PickleException("persistent object meta in " + source + " is not a dict");
    }
    Map<?, ?> meta = (Map<?, ?>) metaObj;
    Object type = meta.get("type");
    if (!"class".equals(type)) {
      throw new PickleException(
          "persistent object in " + source + " has type " + type + ", expected 'class'");
    }
    Object className = meta.get("class_name");
    if (!(className instanceof String)) {
      throw new PickleException("persistent object in " + source + " has no class_name");
    }
    Object version = meta.get("version");
    Object src = meta.get("module_src");
    PersistentObject obj =
        new PersistentObject(
            (String) className,
            version instanceof Long ? (Long) version : -1,
            src instanceof String ? (String) src : "",
            source);
    Object state = meta.get("state");
    if (state != null) {
      if (!(state instanceof Map)) {
        throw new PickleException(
            "state of persistent " + className + " in " + source + " is not a dict");
      }
      obj.putAll((Map<?, ?>) state);
    }
    return obj;
  }

  /**
   * The module is not recorded in the pickle (persistence imports the source under a generated
   * name); this is the reference module that defines a class of that name, or {@code <persistent>}.
   */
  @Override
  public String moduleName() {
    return super.moduleName();
  }

  /** The persistence format version ({@code 6} for the reference). */
  public long version() {
    return version;
  }

  /** The pickled source text of the class's module (for inspection only; never executed). */
  public String moduleSource() {
    return moduleSource;
  }

  /**
   * The positional constructor arguments, as plain Java values ({@code []} when none were
   * recorded).
   */
  public List<Object> initArgs() {
    Object a = state().get("_init_args");
    return a instanceof List
        ? Collections.unmodifiableList(new ArrayList<>((List<?>) a))
        : List.of();
  }

  /**
   * The keyword constructor arguments in call order, as plain Java values (Long, Double, String,
   * Boolean, null, List, Map), e.g. {@code img_resolution=16, model_type=SongUNet, channel_mult=[1,
   * 2]}.
   */
  public Map<String, Object> initKwargs() {
    Object k = state().get("_init_kwargs");
    Map<String, Object> out = new LinkedHashMap<>();
    if (k instanceof Map) {
      ((Map<?, ?>) k).forEach((key, v) -> out.put(String.valueOf(key), v));
    }
    return Collections.unmodifiableMap(out);
  }

  /**
   * True when the decorator recorded constructor arguments ({@code _record_init_args} was not
   * disabled).
   */
  public boolean hasInitArgs() {
    return state().get("_init_kwargs") instanceof Map;
  }
}

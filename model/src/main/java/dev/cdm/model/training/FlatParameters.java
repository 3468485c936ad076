package dev.cdm.model.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.cdm.model.precond.Precond;
import dev.cdm.model.torch.Autograd;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A network's trainable parameters as views of one contiguous float32 buffer [P] (state_dict
 * order), so that whole-network updates (Adam's step, the EMA, the copy to the other replicas) are
 * one in-place op on the buffer instead of a few native calls per parameter tensor.
 *
 * <p>Linking copies the current values into a new buffer and replaces every parameter of the
 * network by a slice of it reshaped to the parameter's shape. For a trainable network each view is
 * a leaf that requires a gradient; the buffer itself never requires one, and is only written with
 * grad mode off. Layers read their parameters by name at every call, so the next forward sees an
 * update of the buffer. A training pass takes its weights from {@link #forPass} (one leaf per pass:
 * the buffer cast, or at float32 aliased), so backward fills the pass leaves' gradients; only uses
 * outside them (a float32 use in a reduced-precision pass, or {@code -Dcdm.passWeights=false}) fill
 * the views' own. {@link #takeGradient} collects both.
 *
 * <p>If something later replaces the network's parameter arrays (a state dict loaded into it),
 * {@link #flat()} notices (the network no longer holds these views) and links again from the values
 * it holds then.
 */
final class FlatParameters implements Precond.PassWeights {
  /** {@code -Dcdm.passWeights=false}: cast each weight where it is used (the per-use path). */
  private static final boolean PASS_WEIGHTS =
      !"false".equalsIgnoreCase(System.getProperty("cdm.passWeights", "true"));

  private final TrainableNetwork net;
  private final boolean trainable;
  private NDArray flat;
  private final List<NDArray> views = new ArrayList<>();

  /** The reduced-precision leaves of this step's passes, in pass order (see {@link #forPass}). */
  private final List<NDArray> passLeaves = new ArrayList<>();

  private int lastPasses;

  private FlatParameters(TrainableNetwork net, boolean trainable) {
    this.net = net;
    this.trainable = trainable;
  }

  /**
   * Links {@code net}'s parameters to a new flat buffer; {@code trainable}: the views require
   * gradients.
   */
  static FlatParameters link(TrainableNetwork net, boolean trainable) {
    FlatParameters f = new FlatParameters(net, trainable);
    f.relink();
    if (trainable && PASS_WEIGHTS) {
      net.setPassWeights(f);
    }
    return f;
  }

  /**
   * This pass's weights in {@code dtype}: the flat buffer cast once into a new leaf that requires a
   * gradient (at float32 the buffer itself under a new name, no copy), split into views shaped as
   * the parameters (one split and a reshape each, instead of three native calls and a kernel per
   * weight and use at reduced precision). Backward fills that leaf's gradient; {@link
   * #takeGradient} adds it, cast to float32, to the parameters' own.
   *
   * <p>The gradient of each weight equals the reference's, where every use casts the float32 weight
   * and the cast's backward converts its gradient to float32: a weight is used once per pass, and
   * the passes' contributions are summed in float32 in pass order. At float32 the gradients are
   * only made during backward and given back with the leaf, where the parameters' own would stay
   * allocated, zeroed, through the next forward (DJL cannot reset a gradient to None as the
   * reference's {@code zero_grad(set_to_none=True)} does): one gradient's size less at the peak.
   * The alias shares the buffer's storage, which nothing writes between the pass and {@link
   * #takeGradient}.
   */
  @Override
  public synchronized Map<NDArray, NDArray> forPass(DataType dtype, NDManager passManager) {
    NDArray f = flat();
    NDArray leaf =
        Autograd.noGrad(() -> dtype == DataType.FLOAT32 ? f.stopGradient() : f.toType(dtype, true));
    leaf.attach(f.getManager()); // read after backward, when the pass's arrays are closed
    leaf.setRequiresGradient(true);
    passLeaves.add(leaf);
    List<Shape> shapes = new ArrayList<>();
    views.forEach(v -> shapes.add(v.getShape()));
    List<NDArray> copies = Autograd.withGrad(() -> Adam.unflatten(leaf, shapes));
    Map<NDArray, NDArray> out = new IdentityHashMap<>();
    for (int i = 0; i < views.size(); i++) {
      NDArray c = copies.get(i);
      c.attach(passManager);
      out.put(views.get(i), c);
    }
    return out;
  }

  /** How many pass leaves the last {@link #takeGradient} summed (tests). */
  synchronized int lastPasses() {
    return lastPasses;
  }

  /**
   * The network's gradient as one float32 array [P] in parameter order (the caller owns it), and
   * every gradient reset for the next step: the parameters' own {@code .grad} (uses at float32, or
   * every use without {@link #forPass}) plus each pass leaf's, cast to float32.
   */
  synchronized NDArray takeGradient() {
    return Autograd.noGrad(
        () -> {
          List<NDArray> params = net.parameterArrays();
          lastPasses = passLeaves.size();
          if (passLeaves.isEmpty()) {
            List<NDArray> grads = new ArrayList<>();
            for (NDArray p : params) {
              grads.add(p.getGradient());
            }
            NDArray g = Adam.flatten(grads);
            Adam.close(grads);
            params.forEach(Autograd::zeroGrad);
            return g;
          }
          NDArray g = null;
          for (NDArray leaf : passLeaves) {
            NDArray lg = leaf.getGradient();
            NDArray lg32 = lg;
            if (lg.getDataType() != DataType.FLOAT32) {
              lg32 = lg.toType(DataType.FLOAT32, false); // a new array: the cast copies
              lg.close();
            }
            if (g == null) {
              g = lg32; // at float32 the leaf's gradient itself, which outlives the leaf
            } else {
              g.addi(lg32);
              lg32.close();
            }
            leaf.close();
          }
          passLeaves.clear();
          long off = 0;
          for (NDArray p : params) {
            long n = p.size();
            NDArray own = Autograd.gradientOrNull(p);
            if (own != null) {
              try (NDArray slice = g.get(new NDIndex("{}:{}", off, off + n));
                  NDArray flatOwn = own.reshape(-1)) {
                slice.addi(flatOwn);
              }
              Autograd.zeroGrad(p);
              own.close();
            }
            off += n;
          }
          return g;
        });
  }

  /** The flat buffer [P] behind the network's parameters (linked again first if it was undone). */
  NDArray flat() {
    if (!linked()) {
      relink();
    }
    return flat;
  }

  /** The network's parameters by name (the views of the buffer while linked). */
  LinkedHashMap<String, NDArray> parameters() {
    return net.parameters();
  }

  /** True while every parameter of the network is still the view this buffer installed. */
  boolean linked() {
    List<NDArray> params = net.parameterArrays();
    if (params.size() != views.size()) {
      return false;
    }
    Iterator<NDArray> it = views.iterator();
    for (NDArray p : params) {
      if (p != it.next()) {
        return false;
      }
    }
    return true;
  }

  private static boolean isOneOf(NDArray a, List<NDArray> list) {
    for (NDArray b : list) {
      if (a == b) {
        return true;
      }
    }
    return false;
  }

  private void relink() {
    Autograd.noGrad(
        () -> {
          LinkedHashMap<String, NDArray> params = net.parameters();
          List<Shape> shapes = new ArrayList<>();
          params.values().forEach(p -> shapes.add(p.getShape()));
          NDArray next = Adam.flatten(new ArrayList<>(params.values()));
          List<NDArray> nextViews = Adam.unflatten(next, shapes);
          int i = 0;
          for (String name : params.keySet()) {
            NDArray v = nextViews.get(i++);
            if (trainable) {
              v.setRequiresGradient(true);
            }
            NDArray old = net.replaceParameter(name, v);
            if (old != null && !isOneOf(old, views)) {
              old.close();
            }
          }
          Adam.close(views);
          views.clear();
          views.addAll(nextViews);
          if (flat != null) {
            flat.close();
          }
          flat = next;
          net.parametersUpdated();
          return null;
        });
  }
}

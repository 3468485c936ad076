package dev.cdm.model.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.cdm.model.torch.Autograd;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The update after the gradients are reduced, as the reference's training loop does it: the
 * gradient guard ({@code nan_to_num}), Adam with the learning-rate ramp-up on replica 0's weights,
 * the broadcast of those weights to the other replicas, and the EMA with its half-life and ramp-up.
 * The three parts are separate calls so that the loop can time them as phases.
 */
final class OptimizerStep {
  private final TrainingOptions opts;
  private final Adam adam = new Adam();
  private final Ema emaSchedule;
  private final TrainableNetwork ema;
  private final FlatParameters emaFlat;

  /** Sees the reduced gradients of every step before the guard and the update (tests). */
  Consumer<Map<String, NDArray>> onGradients;

  OptimizerStep(TrainingOptions opts, TrainableNetwork ema) {
    this.opts = opts;
    this.ema = ema;
    this.emaFlat = FlatParameters.link(ema, false);
    this.emaSchedule = new Ema(opts.emaHalflifeKimg(), opts.emaRampupRatio());
  }

  Adam adam() {
    return adam;
  }

  TrainableNetwork ema() {
    return ema;
  }

  /**
   * Guards {@code flatGradient} (closed here) and applies Adam to {@code master}'s parameters (in
   * one op on its flat buffer) at the learning rate of image {@code stepNimg}.
   */
  void adam(FlatParameters master, NDArray flatGradient, long stepNimg) {
    Autograd.noGrad(
        () -> {
          NDArray flatParams = master.flat();
          LinkedHashMap<String, NDArray> params = master.parameters();
          NDArray g = flatGradient;
          if (onGradients != null) {
            List<Shape> shapes = new ArrayList<>();
            params.values().forEach(p -> shapes.add(p.getShape()));
            List<NDArray> views = Adam.unflatten(g, shapes);
            Map<String, NDArray> named = new LinkedHashMap<>();
            int i = 0;
            for (String k : params.keySet()) {
              named.put(k, views.get(i++));
            }
            onGradients.accept(named);
            Adam.close(views);
          }
          NDArray guarded = Tensors.nanToNum(g);
          g.close();
          double lr =
              opts.lr() * Math.min(stepNimg / Math.max(opts.lrRampupKimg() * 1000, 1e-8), 1);
          adam.update(params, flatParams, guarded, lr);
          guarded.close();
          return null;
        });
  }

  /** Replica 0's updated weights to every replica; clears their gradients. */
  void broadcast(Replicas replicas) {
    replicas.broadcast();
  }

  /**
   * The EMA of {@code net}'s parameters after the step that began at image {@code stepNimg}; called
   * with grad mode off.
   */
  void updateEma(FlatParameters net, long stepNimg) {
    Ema.update(emaFlat.flat(), net.flat(), emaSchedule.beta(stepNimg, opts.batchSize()));
    ema.parametersUpdated();
  }
}

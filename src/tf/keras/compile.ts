// What `compile` sets up: the loss with its running mean (the `loss` of the logs) and the metrics,
// as Keras' LossesContainer and MetricsContainer.
import type { Tensor } from "../../tensor/tensor.js";
import { ValueError } from "../../tensor/errors.js";
import { add, sum, stack } from "../../ops/api.js";
import { getLoss, type Loss, type LossLike } from "./losses.js";
import { getMetric, Mean, type Metric, type MetricLike } from "./metrics.js";

/** The compiled loss: the loss plus the layers' losses (regularization), averaged over the epoch by sample. */
export class CompiledLoss {
  readonly loss: Loss | null;
  /** The running mean of the total loss, weighted by batch size: the `loss` of the logs. */
  readonly tracker = new Mean({ name: "loss" });

  constructor(loss: LossLike | null | undefined) {
    this.loss = loss === null || loss === undefined ? null : getLoss(loss);
  }

  /** The total loss of one batch (recorded, for the gradient); updates the running mean. */
  call(yTrue: Tensor | null, yPred: Tensor, sampleWeight: Tensor | null, extraLosses: readonly Tensor[]): Tensor {
    const parts: Tensor[] = [];
    if (this.loss !== null) {
      if (yTrue === null) throw new ValueError(`the model was compiled with a loss (${this.loss.name}) but no targets (y) were given`);
      parts.push(this.loss(yTrue, yPred, sampleWeight));
    }
    // Layer losses are scalars; `sum(stack(...))` adds them whatever their count.
    if (extraLosses.length) parts.push(sum(stack(extraLosses.map((l) => l.reshape([])))));
    if (parts.length === 0) throw new ValueError("the model has no loss to minimize: compile it with a loss, or add losses in its layers");
    const total = parts.length === 1 ? parts[0] : add(parts[0], parts[1]);
    const batch = yPred.ndim > 0 ? yPred.shape[0] : 1;
    this.tracker.updateState(total.detach(), batch);
    return total;
  }
}

/** The compiled metrics, resolved on the first batch (where 'accuracy' needs the shapes). */
export class CompiledMetrics {
  private readonly specs: readonly MetricLike[];
  private built: Metric[] | null = null;

  constructor(specs: readonly MetricLike[] | MetricLike | null | undefined) {
    this.specs = specs === null || specs === undefined ? [] : Array.isArray(specs) ? specs : [specs as MetricLike];
  }

  get metrics(): Metric[] {
    return this.built ?? [];
  }

  updateState(yTrue: Tensor, yPred: Tensor, sampleWeight: Tensor | null): void {
    if (this.built === null) this.built = this.specs.map((s) => getMetric(s, { yTrue, yPred }));
    for (const m of this.built) m.updateState(yTrue, yPred, sampleWeight);
  }

  resetState(): void {
    for (const m of this.metrics) m.resetState();
  }
}

// Keras' metrics: stateful averages of per-sample values (accuracy, mae, mse, …) over the batches
// of an epoch, and the per-sample functions behind them.
import { Tensor } from "../../tensor/tensor.js";
import { isFloating } from "../../tensor/dtype.js";
import { ValueError } from "../../tensor/errors.js";
import { full } from "../../tensor/creation.js";
import * as A from "../../ops/api.js";
import { noGrad } from "../../autograd/grad_mode.js";
import { CallableObject } from "../../nn/callable.js";
import { convertToTensor, type TensorInput } from "../convert.js";
import { toSnakeCase } from "./names.js";
import { alignRanks, weightsToRank } from "./ranks.js";
import * as L from "./losses.js";

const f32 = (t: Tensor): Tensor => (t.dtype === "float32" ? t : A.cast(t, "float32"));

/** 1 where `yPred > threshold` equals the 0/1 label, averaged over the last axis. */
export function binaryAccuracy(yTrue: TensorInput, yPred: TensorInput, threshold = 0.5): Tensor {
  const p = convertToTensor(yPred);
  const t = convertToTensor(yTrue, isFloating(p.dtype) ? p.dtype : "float32");
  const hit = f32(A.eq(t, A.cast(A.gt(p, threshold), t.dtype)));
  return A.mean(hit, hit.ndim === 0 ? [] : -1);
}

/** 1 where the argmax of one-hot labels equals the argmax of the predictions. */
export function categoricalAccuracy(yTrue: TensorInput, yPred: TensorInput): Tensor {
  return f32(A.eq(A.argmax(convertToTensor(yTrue), -1), A.argmax(convertToTensor(yPred), -1)));
}

/** 1 where the integer label (`[batch]` or `[batch, 1]`) equals the argmax of the predictions. */
export function sparseCategoricalAccuracy(yTrue: TensorInput, yPred: TensorInput): Tensor {
  const p = convertToTensor(yPred);
  let t = convertToTensor(yTrue);
  if (t.ndim === p.ndim && t.ndim > 0) t = A.squeeze(t, -1);
  return f32(A.eq(A.cast(t, "int32"), A.argmax(p, -1)));
}

/** 1 where labels and predictions are equal. */
export function accuracy(yTrue: TensorInput, yPred: TensorInput): Tensor {
  const p = convertToTensor(yPred);
  return f32(A.eq(convertToTensor(yTrue, p.dtype), p));
}

/**
 * Base of Keras' metrics: `updateState(yTrue, yPred, sampleWeight?)` accumulates, `result()` gives
 * the value so far (a scalar tensor), `resetState()` starts over; calling the metric updates it
 * and returns the result.
 */
export interface Metric {
  (yTrue: TensorInput, yPred: TensorInput, sampleWeight?: TensorInput | null): Tensor;
}
export abstract class Metric extends CallableObject {
  override readonly name: string;

  constructor(name?: string) {
    super();
    this.name = name ?? toSnakeCase(new.target.name);
  }

  abstract updateState(...args: any[]): void;
  abstract result(): Tensor;
  abstract resetState(): void;

  protected override _call(...args: unknown[]): Tensor {
    noGrad(() => this.updateState(...args));
    return this.result();
  }
}

/** The weighted mean of the values given to `updateState(values, sampleWeight?)`. */
export class Mean extends Metric {
  protected total = 0;
  protected count = 0;

  constructor(opts: { name?: string } = {}) {
    super(opts.name ?? "mean");
  }

  updateState(values: TensorInput, sampleWeight?: TensorInput | null): void {
    noGrad(() => {
      const v = f32(convertToTensor(values));
      if (sampleWeight === undefined || sampleWeight === null) {
        this.total += A.sum(v).item();
        this.count += v.numel();
        return;
      }
      const w = A.expand(weightsToRank(convertToTensor(sampleWeight, "float32"), v.ndim), v.shape);
      this.total += A.sum(A.mul(v, w)).item();
      this.count += A.sum(w).item();
    });
  }

  result(): Tensor {
    return full([], this.count === 0 ? 0 : this.total / this.count, { dtype: "float32" });
  }

  resetState(): void {
    this.total = 0;
    this.count = 0;
  }
}

/** The sum of the values given to `updateState`. */
export class Sum extends Mean {
  constructor(opts: { name?: string } = {}) {
    super({ name: opts.name ?? "sum" });
  }
  override result(): Tensor {
    return full([], this.total, { dtype: "float32" });
  }
}

type MetricFn = (yTrue: Tensor, yPred: Tensor) => Tensor;

/** The mean of a per-sample function of labels and predictions (Keras' MeanMetricWrapper). */
export class MeanMetricWrapper extends Mean {
  readonly fn: MetricFn;
  constructor(fn: MetricFn, opts: { name?: string } = {}) {
    super({ name: opts.name ?? (fn.name ? toSnakeCase(fn.name) : "metric") });
    this.fn = fn;
  }
  override updateState(yTrue: TensorInput, yPred: TensorInput, sampleWeight?: TensorInput | null): void {
    const values = noGrad(() => {
      const [t, p] = alignRanks(convertToTensor(yTrue), convertToTensor(yPred));
      return this.fn(t, p);
    });
    super.updateState(values, sampleWeight);
  }
}

/** The running mean absolute error. @example model.compile({ optimizer: "sgd", loss: "mse", metrics: [new tf.keras.metrics.MeanAbsoluteError()] }) */
export class MeanAbsoluteError extends MeanMetricWrapper {
  constructor(opts: { name?: string } = {}) {
    super(L.meanAbsoluteError, { name: opts.name ?? "mean_absolute_error" });
  }
}
/** The running mean squared error. */
export class MeanSquaredError extends MeanMetricWrapper {
  constructor(opts: { name?: string } = {}) {
    super(L.meanSquaredError, { name: opts.name ?? "mean_squared_error" });
  }
}
/** sqrt of the running mean squared error. */
export class RootMeanSquaredError extends MeanMetricWrapper {
  constructor(opts: { name?: string } = {}) {
    super((t, p) => A.square(A.sub(p, t)), { name: opts.name ?? "root_mean_squared_error" });
  }
  override result(): Tensor {
    return A.sqrt(super.result());
  }
}
/** How often predictions equal labels exactly. */
export class Accuracy extends MeanMetricWrapper {
  constructor(opts: { name?: string } = {}) {
    super(accuracy, { name: opts.name ?? "accuracy" });
  }
}
/** How often predictions above `threshold` (0.5) match 0/1 labels. */
export class BinaryAccuracy extends MeanMetricWrapper {
  readonly threshold: number;
  constructor(opts: { name?: string; threshold?: number } = {}) {
    const threshold = opts.threshold ?? 0.5;
    super((t, p) => binaryAccuracy(t, p, threshold), { name: opts.name ?? "binary_accuracy" });
    this.threshold = threshold;
  }
}
/** How often the argmax of the predictions matches that of one-hot labels. */
export class CategoricalAccuracy extends MeanMetricWrapper {
  constructor(opts: { name?: string } = {}) {
    super(categoricalAccuracy, { name: opts.name ?? "categorical_accuracy" });
  }
}
/** How often the argmax of the predictions matches integer labels. */
export class SparseCategoricalAccuracy extends MeanMetricWrapper {
  constructor(opts: { name?: string } = {}) {
    super(sparseCategoricalAccuracy, { name: opts.name ?? "sparse_categorical_accuracy" });
  }
}

// Per-sample functions by canonical name; 'accuracy' is resolved against the loss and shapes.
const BY_NAME: Record<string, MetricFn> = {
  mean_absolute_error: L.meanAbsoluteError,
  mae: L.meanAbsoluteError,
  mean_squared_error: L.meanSquaredError,
  mse: L.meanSquaredError,
  mean_absolute_percentage_error: L.meanAbsolutePercentageError,
  mape: L.meanAbsolutePercentageError,
  mean_squared_logarithmic_error: L.meanSquaredLogarithmicError,
  msle: L.meanSquaredLogarithmicError,
  binary_accuracy: (t, p) => binaryAccuracy(t, p),
  categorical_accuracy: categoricalAccuracy,
  sparse_categorical_accuracy: sparseCategoricalAccuracy,
  binary_crossentropy: (t, p) => L.binaryCrossentropy(t, p),
  categorical_crossentropy: (t, p) => L.categoricalCrossentropy(t, p),
  sparse_categorical_crossentropy: (t, p) => L.sparseCategoricalCrossentropy(t, p),
  hinge: L.hinge,
  kl_divergence: L.klDivergence,
};

/** A metric for `compile`: a Metric object, a per-sample function, or a name. */
export type MetricLike = Metric | MetricFn | string;

/**
 * Keras' metric lookup for `compile`. The metric keeps the name it was given ('acc', 'mae', …).
 * 'accuracy'/'acc' picks binary, sparse categorical or categorical accuracy as Keras 2 does: binary
 * when the predictions have one column, sparse when the labels have a lower rank or one column
 * against several, categorical otherwise.
 */
export function getMetric(id: MetricLike, ctx: { yTrue: Tensor; yPred: Tensor }): Metric {
  if (id instanceof Metric) return id;
  if (typeof id === "function") return new MeanMetricWrapper(id);
  if (typeof id !== "string") throw new ValueError(`Could not interpret metric identifier: ${String(id)}`);
  const key = toSnakeCase(id);
  if (key === "accuracy" || key === "acc") {
    const { yTrue, yPred } = ctx;
    const tLast = yTrue.shape[yTrue.ndim - 1];
    const pLast = yPred.shape[yPred.ndim - 1];
    const binary = pLast === 1;
    const sparse = yTrue.ndim < yPred.ndim || (tLast === 1 && pLast > 1);
    const fn = binary ? (t: Tensor, p: Tensor) => binaryAccuracy(t, p) : sparse ? sparseCategoricalAccuracy : categoricalAccuracy;
    return new MeanMetricWrapper(fn, { name: id });
  }
  const fn = BY_NAME[key];
  if (!fn) throw new ValueError(`Unknown metric function: '${id}'. Known metrics: accuracy, acc, ${Object.keys(BY_NAME).join(", ")}`);
  return new MeanMetricWrapper(fn, { name: id });
}

/** Keras' `tf.keras.metrics.get` (a name resolves without shapes: 'accuracy' is the plain equality). */
export const get = (id: MetricLike): Metric => (id === "accuracy" || id === "acc" ? new Accuracy({ name: id }) : getMetric(id, { yTrue: full([1], 0), yPred: full([1], 0) }));

// Keras' losses (also `tf.losses`): functions giving one value per sample (the mean over the last
// axis, as Keras), and Loss classes that reduce those values (by default the sum over the batch
// size: the mean of the per-sample values). Compositions of core ops.
import { Tensor } from "../../tensor/tensor.js";
import { isFloating } from "../../tensor/dtype.js";
import { fmtShape, normDim } from "../../tensor/shape.js";
import { ShapeError, ValueError } from "../../tensor/errors.js";
import * as A from "../../ops/api.js";
import { CallableObject } from "../../nn/callable.js";
import { convertToTensor, type TensorInput } from "../convert.js";
import { sigmoidCrossEntropyWithLogits, softmaxCrossEntropyWithLogits, sparseSoftmaxCrossEntropyWithLogits } from "../nn.js";
import { toSnakeCase } from "./names.js";
import { alignRanks, weightsToRank } from "./ranks.js";

/** Keras' backend epsilon, used to clip probabilities. */
export const EPSILON = 1e-7;

/** y_true in y_pred's dtype (Keras casts it), both as tensors. */
function prep(yTrue: TensorInput, yPred: TensorInput): [Tensor, Tensor] {
  const p = convertToTensor(yPred);
  const dt = isFloating(p.dtype) ? p.dtype : "float32";
  return [convertToTensor(yTrue, dt), p.dtype === dt ? p : A.cast(p, dt)];
}

const meanLast = (x: Tensor): Tensor => A.mean(x, x.ndim === 0 ? [] : -1);

/**
 * Mean squared error over the last axis (TF's `tf.keras.losses.mean_squared_error`, `tf.losses.mse`):
 * `[batch, d]` gives `[batch]`, a vector gives a scalar. Inputs broadcast against each other.
 * @example tf.losses.mse(yPred, y) // y, yPred [200] -> scalar
 */
export function meanSquaredError(yTrue: TensorInput, yPred: TensorInput): Tensor {
  const [t, p] = prep(yTrue, yPred);
  return meanLast(A.square(A.sub(p, t)));
}

/** Mean absolute error over the last axis. */
export function meanAbsoluteError(yTrue: TensorInput, yPred: TensorInput): Tensor {
  const [t, p] = prep(yTrue, yPred);
  return meanLast(A.abs(A.sub(p, t)));
}

/** 100 · mean(|y − ŷ| / max(|y|, ε)) over the last axis. */
export function meanAbsolutePercentageError(yTrue: TensorInput, yPred: TensorInput): Tensor {
  const [t, p] = prep(yTrue, yPred);
  return A.mul(meanLast(A.div(A.abs(A.sub(t, p)), A.maximum(A.abs(t), EPSILON))), 100);
}

/** mean((log(max(ŷ, ε) + 1) − log(max(y, ε) + 1))²) over the last axis. */
export function meanSquaredLogarithmicError(yTrue: TensorInput, yPred: TensorInput): Tensor {
  const [t, p] = prep(yTrue, yPred);
  const lp = A.log(A.add(A.maximum(p, EPSILON), 1));
  const lt = A.log(A.add(A.maximum(t, EPSILON), 1));
  return meanLast(A.square(A.sub(lp, lt)));
}

/** Huber loss with threshold `delta` (default 1), averaged over the last axis. */
export function huber(yTrue: TensorInput, yPred: TensorInput, delta = 1): Tensor {
  const [t, p] = prep(yTrue, yPred);
  const err = A.sub(p, t);
  const absErr = A.abs(err);
  const quad = A.mul(A.square(err), 0.5);
  const lin = A.sub(A.mul(absErr, delta), 0.5 * delta * delta);
  return meanLast(A.where(A.le(absErr, delta), quad, lin));
}

/** log(cosh(ŷ − y)) averaged over the last axis, computed stably as x + softplus(−2x) − log 2. */
export function logCosh(yTrue: TensorInput, yPred: TensorInput): Tensor {
  const [t, p] = prep(yTrue, yPred);
  const x = A.sub(p, t);
  return meanLast(A.sub(A.add(x, A.softplus(A.mul(x, -2))), Math.LN2));
}

/** mean(max(1 − y·ŷ, 0)) with labels in {−1, 1} (0/1 labels are mapped to −1/1, as Keras). */
export function hinge(yTrue: TensorInput, yPred: TensorInput): Tensor {
  const [t, p] = prep(yTrue, yPred);
  return meanLast(A.relu(A.rsub(A.mul(signedLabels(t), p), 1)));
}

/** mean(max(1 − y·ŷ, 0)²) over the last axis, labels as for {@link hinge}. */
export function squaredHinge(yTrue: TensorInput, yPred: TensorInput): Tensor {
  const [t, p] = prep(yTrue, yPred);
  return meanLast(A.square(A.relu(A.rsub(A.mul(signedLabels(t), p), 1))));
}

// Keras converts binary 0/1 labels to -1/1 for the hinge losses.
function signedLabels(t: Tensor): Tensor {
  const isBinary = A.all(A.logicalOr(A.eq(t, 0), A.eq(t, 1))).item();
  return isBinary ? A.sub(A.mul(t, 2), 1) : t;
}

/** Σ y·log(y/ŷ) over the last axis, both clipped to [ε, 1]. */
export function klDivergence(yTrue: TensorInput, yPred: TensorInput): Tensor {
  const [t, p] = prep(yTrue, yPred);
  const tc = A.clamp(t, EPSILON, 1);
  const pc = A.clamp(p, EPSILON, 1);
  return A.sum(A.mul(tc, A.log(A.div(tc, pc))), -1);
}

/** mean(ŷ − y·log(ŷ + ε)) over the last axis. */
export function poisson(yTrue: TensorInput, yPred: TensorInput): Tensor {
  const [t, p] = prep(yTrue, yPred);
  return meanLast(A.sub(p, A.mul(t, A.log(A.add(p, EPSILON)))));
}

export interface CrossentropyOptions {
  /** Whether `yPred` holds logits (true) or probabilities (false, default). */
  fromLogits?: boolean;
  /** Moves labels towards the uniform distribution by this amount. */
  labelSmoothing?: number;
  axis?: number;
}

/**
 * Binary cross-entropy averaged over the last axis. Probabilities are clipped to [ε, 1 − ε]
 * (ε = 1e-7) and the log is taken of p + ε, as Keras; with `fromLogits`, the stable
 * `max(x, 0) − x·y + log(1 + exp(−|x|))`. Label smoothing moves labels towards 0.5.
 */
export function binaryCrossentropy(yTrue: TensorInput, yPred: TensorInput, opts: CrossentropyOptions = {}): Tensor {
  let [t, p] = prep(yTrue, yPred);
  const ls = opts.labelSmoothing ?? 0;
  if (ls) t = A.add(A.mul(t, 1 - ls), 0.5 * ls);
  let bce: Tensor;
  if (opts.fromLogits) {
    bce = sigmoidCrossEntropyWithLogits({ labels: t, logits: p });
  } else {
    const pc = A.clamp(p, EPSILON, 1 - EPSILON);
    const pos = A.mul(t, A.log(A.add(pc, EPSILON)));
    const neg = A.mul(A.rsub(t, 1), A.log(A.add(A.rsub(pc, 1), EPSILON)));
    bce = A.neg(A.add(pos, neg));
  }
  return A.mean(bce, bce.ndim === 0 ? [] : (opts.axis ?? -1));
}

/**
 * Categorical cross-entropy along `axis` (default −1) with one-hot (or soft) labels.
 * Probabilities are renormalized to sum to 1 and clipped to [ε, 1 − ε], as Keras; with
 * `fromLogits`, −Σ y·log_softmax(ŷ). Label smoothing: y·(1 − s) + s/classes.
 */
export function categoricalCrossentropy(yTrue: TensorInput, yPred: TensorInput, opts: CrossentropyOptions = {}): Tensor {
  let [t, p] = prep(yTrue, yPred);
  if (t.ndim !== p.ndim || t.shape.some((d, i) => d !== p.shape[i])) {
    throw new ShapeError(`categorical_crossentropy: shapes ${fmtShape(t.shape)} (y_true) and ${fmtShape(p.shape)} (y_pred) are incompatible; labels must be one-hot (use sparse_categorical_crossentropy for integer labels)`);
  }
  const axis = normDim("categorical_crossentropy", opts.axis ?? -1, p.ndim);
  const ls = opts.labelSmoothing ?? 0;
  if (ls) t = A.add(A.mul(t, 1 - ls), ls / p.shape[axis]);
  if (opts.fromLogits) return softmaxCrossEntropyWithLogits({ labels: t, logits: p, axis });
  const normalized = A.div(p, A.sum(p, axis, true));
  const pc = A.clamp(normalized, EPSILON, 1 - EPSILON);
  return A.neg(A.sum(A.mul(t, A.log(pc)), axis));
}

/**
 * Cross-entropy with integer labels (`[batch]` or `[batch, 1]`) against `[batch, classes]`
 * predictions. Probabilities are clipped to [ε, 1 − ε] before the log, as Keras.
 */
export function sparseCategoricalCrossentropy(yTrue: TensorInput, yPred: TensorInput, opts: Omit<CrossentropyOptions, "labelSmoothing"> = {}): Tensor {
  const p0 = convertToTensor(yPred);
  const p = isFloating(p0.dtype) ? p0 : A.cast(p0, "float32");
  let t = convertToTensor(yTrue);
  const axis = normDim("sparse_categorical_crossentropy", opts.axis ?? -1, p.ndim);
  if (axis !== p.ndim - 1) throw new ValueError(`sparse_categorical_crossentropy: only the last axis is supported as the class axis, got axis ${opts.axis}`);
  if (t.ndim === p.ndim && t.shape[t.ndim - 1] === 1) t = A.squeeze(t, -1);
  if (t.ndim !== p.ndim - 1 || t.shape.some((d, i) => d !== p.shape[i])) {
    throw new ShapeError(`sparse_categorical_crossentropy: labels of shape ${fmtShape(t.shape)} do not match logits of shape ${fmtShape(p.shape)} (expected labels of shape ${fmtShape(p.shape.slice(0, -1))})`);
  }
  const classes = p.shape[axis];
  const idx = t.dtype === "int32" ? t : A.cast(t, "int32");
  const mn = idx.numel() ? A.amin(idx).item() : 0;
  const mx = idx.numel() ? A.amax(idx).item() : 0;
  if (mn < 0 || mx >= classes) {
    throw new ValueError(`sparse_categorical_crossentropy: received a label value of ${mn < 0 ? mn : mx} which is outside the valid range of [0, ${classes})`);
  }
  const logits = opts.fromLogits ? p : A.log(A.clamp(p, EPSILON, 1 - EPSILON));
  return sparseSoftmaxCrossEntropyWithLogits({ labels: idx, logits });
}

// Short names, as TF's tf.losses.mse / tf.keras.losses.mae.
export const mse = meanSquaredError;
export const mae = meanAbsoluteError;
export const mape = meanAbsolutePercentageError;
export const msle = meanSquaredLogarithmicError;
export const kld = klDivergence;
export const MSE = meanSquaredError;
export const MAE = meanAbsoluteError;
export const MAPE = meanAbsolutePercentageError;
export const MSLE = meanSquaredLogarithmicError;
export const KLD = klDivergence;

/** How a Loss object reduces the per-sample values: Keras' `ReductionV2`. */
export type Reduction = "auto" | "sum_over_batch_size" | "sum" | "none";

/**
 * Base of Keras' loss classes: `loss(yTrue, yPred, sampleWeight?)` computes the per-sample
 * values with `call` and reduces them (`reduction`, default the mean over all values).
 * @example new tf.keras.losses.MeanSquaredError()(yTrue, yPred)
 */
export interface Loss {
  (yTrue: TensorInput, yPred: TensorInput, sampleWeight?: TensorInput | null): Tensor;
}
export abstract class Loss extends CallableObject {
  readonly reduction: Reduction;
  override readonly name: string;

  constructor(opts: { reduction?: Reduction; name?: string } = {}) {
    super();
    const r = opts.reduction ?? "auto";
    if (!["auto", "sum_over_batch_size", "sum", "none"].includes(r)) {
      throw new ValueError(`Loss: invalid reduction '${r}' (expected auto, sum_over_batch_size, sum or none)`);
    }
    this.reduction = r;
    this.name = opts.name ?? toSnakeCase(new.target.name);
  }

  /** The per-sample loss values. */
  abstract override call(yTrue: Tensor, yPred: Tensor): Tensor;

  protected override _call(yTrue: TensorInput, yPred: TensorInput, sampleWeight?: TensorInput | null): Tensor {
    let [t, p] = prep(yTrue, yPred);
    [t, p] = alignRanks(t, p);
    return reduceLoss(weighted(this.call(t, p), sampleWeight), this.reduction);
  }

  getConfig(): Record<string, unknown> {
    return { reduction: this.reduction, name: this.name };
  }
}

/** The per-sample values times the sample weights, if any. */
function weighted(values: Tensor, sampleWeight: TensorInput | null | undefined): Tensor {
  if (sampleWeight === undefined || sampleWeight === null) return values;
  return A.mul(values, weightsToRank(convertToTensor(sampleWeight, values.dtype), values.ndim));
}

/** Keras' reduction of weighted per-sample losses: the sum, divided by their count for the mean. */
export function reduceLoss(values: Tensor, reduction: Reduction): Tensor {
  if (reduction === "none") return values;
  const total = A.sum(values);
  if (reduction === "sum") return total;
  return A.div(total, Math.max(values.numel(), 1));
}

type LossFn = (yTrue: Tensor, yPred: Tensor) => Tensor;

/** A Loss from a per-sample function (Keras' LossFunctionWrapper), as `compile` uses for names and functions. */
export class LossFunctionWrapper extends Loss {
  private readonly fn: LossFn;
  constructor(fn: LossFn, opts: { reduction?: Reduction; name?: string } = {}) {
    super({ reduction: opts.reduction, name: opts.name ?? (fn.name ? toSnakeCase(fn.name) : "loss") });
    this.fn = fn;
  }
  override call(yTrue: Tensor, yPred: Tensor): Tensor {
    return this.fn(yTrue, yPred);
  }
}

interface LossArgs {
  reduction?: Reduction;
  name?: string;
}

/** Loss object of {@link meanSquaredError}. @example new tf.keras.losses.MeanSquaredError()(y, yPred) */
export class MeanSquaredError extends Loss {
  constructor(opts: LossArgs = {}) {
    super({ name: "mean_squared_error", ...opts });
  }
  override call(t: Tensor, p: Tensor): Tensor {
    return meanSquaredError(t, p);
  }
}

/** Loss object of {@link meanAbsoluteError}. */
export class MeanAbsoluteError extends Loss {
  constructor(opts: LossArgs = {}) {
    super({ name: "mean_absolute_error", ...opts });
  }
  override call(t: Tensor, p: Tensor): Tensor {
    return meanAbsoluteError(t, p);
  }
}

/** Loss object of {@link meanAbsolutePercentageError}. */
export class MeanAbsolutePercentageError extends Loss {
  constructor(opts: LossArgs = {}) {
    super({ name: "mean_absolute_percentage_error", ...opts });
  }
  override call(t: Tensor, p: Tensor): Tensor {
    return meanAbsolutePercentageError(t, p);
  }
}

/** Loss object of {@link meanSquaredLogarithmicError}. */
export class MeanSquaredLogarithmicError extends Loss {
  constructor(opts: LossArgs = {}) {
    super({ name: "mean_squared_logarithmic_error", ...opts });
  }
  override call(t: Tensor, p: Tensor): Tensor {
    return meanSquaredLogarithmicError(t, p);
  }
}

/** Loss object of {@link huber}, threshold `delta` (1). */
export class Huber extends Loss {
  readonly delta: number;
  constructor(opts: LossArgs & { delta?: number } = {}) {
    super({ name: "huber_loss", ...opts });
    this.delta = opts.delta ?? 1;
    if (!(this.delta > 0)) throw new ValueError(`Huber: delta must be positive, got ${this.delta}`);
  }
  override call(t: Tensor, p: Tensor): Tensor {
    return huber(t, p, this.delta);
  }
}

/** Loss object of {@link logCosh}. */
export class LogCosh extends Loss {
  constructor(opts: LossArgs = {}) {
    super({ name: "log_cosh", ...opts });
  }
  override call(t: Tensor, p: Tensor): Tensor {
    return logCosh(t, p);
  }
}

/** Loss object of {@link binaryCrossentropy}. @example new tf.keras.losses.BinaryCrossentropy({ fromLogits: true }) */
export class BinaryCrossentropy extends Loss {
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  readonly axis: number;
  constructor(opts: LossArgs & CrossentropyOptions = {}) {
    super({ reduction: opts.reduction, name: opts.name ?? "binary_crossentropy" });
    this.fromLogits = opts.fromLogits ?? false;
    this.labelSmoothing = opts.labelSmoothing ?? 0;
    this.axis = opts.axis ?? -1;
  }
  override call(t: Tensor, p: Tensor): Tensor {
    return binaryCrossentropy(t, p, { fromLogits: this.fromLogits, labelSmoothing: this.labelSmoothing, axis: this.axis });
  }
}

/** Loss object of {@link categoricalCrossentropy}. */
export class CategoricalCrossentropy extends Loss {
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  readonly axis: number;
  constructor(opts: LossArgs & CrossentropyOptions = {}) {
    super({ reduction: opts.reduction, name: opts.name ?? "categorical_crossentropy" });
    this.fromLogits = opts.fromLogits ?? false;
    this.labelSmoothing = opts.labelSmoothing ?? 0;
    this.axis = opts.axis ?? -1;
  }
  override call(t: Tensor, p: Tensor): Tensor {
    return categoricalCrossentropy(t, p, { fromLogits: this.fromLogits, labelSmoothing: this.labelSmoothing, axis: this.axis });
  }
}

/** Loss object of {@link sparseCategoricalCrossentropy}. */
export class SparseCategoricalCrossentropy extends Loss {
  readonly fromLogits: boolean;
  constructor(opts: LossArgs & { fromLogits?: boolean } = {}) {
    super({ reduction: opts.reduction, name: opts.name ?? "sparse_categorical_crossentropy" });
    this.fromLogits = opts.fromLogits ?? false;
  }
  // Integer labels keep their dtype: the base class's cast to the predictions' dtype is skipped.
  protected override _call(yTrue: TensorInput, yPred: TensorInput, sampleWeight?: TensorInput | null): Tensor {
    return reduceLoss(weighted(sparseCategoricalCrossentropy(yTrue, yPred, { fromLogits: this.fromLogits }), sampleWeight), this.reduction);
  }
  override call(t: Tensor, p: Tensor): Tensor {
    return sparseCategoricalCrossentropy(t, p, { fromLogits: this.fromLogits });
  }
}

/** Loss object of {@link hinge}. */
export class Hinge extends Loss {
  constructor(opts: LossArgs = {}) {
    super({ name: "hinge", ...opts });
  }
  override call(t: Tensor, p: Tensor): Tensor {
    return hinge(t, p);
  }
}

/** Loss object of {@link klDivergence}. */
export class KLDivergence extends Loss {
  constructor(opts: LossArgs = {}) {
    super({ name: "kl_divergence", ...opts });
  }
  override call(t: Tensor, p: Tensor): Tensor {
    return klDivergence(t, p);
  }
}

const BY_NAME: Record<string, LossFn> = {
  mean_squared_error: meanSquaredError,
  mse: meanSquaredError,
  mean_absolute_error: meanAbsoluteError,
  mae: meanAbsoluteError,
  mean_absolute_percentage_error: meanAbsolutePercentageError,
  mape: meanAbsolutePercentageError,
  mean_squared_logarithmic_error: meanSquaredLogarithmicError,
  msle: meanSquaredLogarithmicError,
  huber: huber as LossFn,
  huber_loss: huber as LossFn,
  log_cosh: logCosh,
  logcosh: logCosh,
  binary_crossentropy: (t, p) => binaryCrossentropy(t, p),
  categorical_crossentropy: (t, p) => categoricalCrossentropy(t, p),
  sparse_categorical_crossentropy: (t, p) => sparseCategoricalCrossentropy(t, p),
  hinge,
  squared_hinge: squaredHinge,
  kl_divergence: klDivergence,
  kld: klDivergence,
  kullback_leibler_divergence: klDivergence,
  poisson,
};

/** A loss for `compile`: a Loss object, a function `(yTrue, yPred) => perSample`, or a name. */
export type LossLike = Loss | LossFn | string;

/**
 * Keras' `losses.get`: a name in snake_case or camelCase (`"mean_absolute_error"`, `"mae"`,
 * `"meanAbsoluteError"`, `"MeanAbsoluteError"`), a function, or a Loss object, as a Loss object.
 * An unknown name is an error listing the known ones.
 */
export function getLoss(id: LossLike): Loss {
  if (id instanceof Loss) return id;
  if (typeof id === "function") return new LossFunctionWrapper(id);
  if (typeof id !== "string") throw new ValueError(`Could not interpret loss identifier: ${String(id)}`);
  const key = toSnakeCase(id);
  const fn = BY_NAME[key];
  if (!fn) throw new ValueError(`Unknown loss function: '${id}'. Known losses: ${Object.keys(BY_NAME).join(", ")} (also in camelCase, e.g. 'meanAbsoluteError')`);
  const name = key === "huber" ? "huber_loss" : key;
  if (key === "sparse_categorical_crossentropy") return new SparseCategoricalCrossentropy({ name });
  return new LossFunctionWrapper(fn, { name });
}

/** Keras' `tf.keras.losses.get`. */
export const get = getLoss;

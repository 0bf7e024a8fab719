// Keras' weight regularizers: callables from a weight to a scalar penalty added to the loss.
import type { Tensor } from "../../tensor/tensor.js";
import { ValueError } from "../../tensor/errors.js";
import { abs, add, mul, square, sum } from "../../ops/api.js";
import { CallableObject } from "../../nn/callable.js";
import { toSnakeCase } from "./names.js";

/**
 * A regularizer: `reg(weight)` is the penalty. Subclasses implement `call`.
 * @example new tf.keras.regularizers.L2(0.01)(kernel) // 0.01 · Σ kernel²
 */
export interface Regularizer {
  (x: Tensor): Tensor;
}
export abstract class Regularizer extends CallableObject {
  abstract override call(x: Tensor): Tensor;
  protected override _call(x: Tensor): Tensor {
    return this.call(x);
  }
}

function checkFactor(name: string, v: number): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw new ValueError(`${name}: the factor must be a finite number >= 0, got ${v}`);
  return v;
}

/** l1 · Σ|x| (Keras' default factor 0.01). */
export class L1 extends Regularizer {
  readonly l1: number;
  constructor(l1 = 0.01) {
    super();
    this.l1 = checkFactor("L1", l1);
  }
  override call(x: Tensor): Tensor {
    return mul(sum(abs(x)), this.l1);
  }
}

/** l2 · Σx² (no ½, as Keras; default factor 0.01). */
export class L2 extends Regularizer {
  readonly l2: number;
  constructor(l2 = 0.01) {
    super();
    this.l2 = checkFactor("L2", l2);
  }
  override call(x: Tensor): Tensor {
    return mul(sum(square(x)), this.l2);
  }
}

/** l1 · Σ|x| + l2 · Σx² (Keras' class defaults are 0 for both; `l1L2()` uses 0.01). */
export class L1L2 extends Regularizer {
  readonly l1: number;
  readonly l2: number;
  constructor(opts: { l1?: number; l2?: number } = {}) {
    super();
    this.l1 = checkFactor("L1L2", opts.l1 ?? 0);
    this.l2 = checkFactor("L1L2", opts.l2 ?? 0);
  }
  override call(x: Tensor): Tensor {
    return add(mul(sum(abs(x)), this.l1), mul(sum(square(x)), this.l2));
  }
}

/** Keras' `regularizers.l1(0.01)`. */
export const l1 = (factor = 0.01): L1 => new L1(factor);
/** Keras' `regularizers.l2(0.01)`. */
export const l2 = (factor = 0.01): L2 => new L2(factor);
/** Keras' `regularizers.l1_l2(l1=0.01, l2=0.01)`. */
export const l1L2 = (opts: { l1?: number; l2?: number } = {}): L1L2 => new L1L2({ l1: opts.l1 ?? 0.01, l2: opts.l2 ?? 0.01 });

export type RegularizerLike = Regularizer | ((x: Tensor) => Tensor) | string | null | undefined;

/** Keras' `regularizers.get`: an instance, a function, or a name ('l1', 'l2', 'l1_l2'). */
export function getRegularizer(id: RegularizerLike): ((x: Tensor) => Tensor) | null {
  if (id === null || id === undefined) return null;
  if (typeof id === "function") return id;
  switch (toSnakeCase(id)) {
    case "l1":
      return new L1();
    case "l2":
      return new L2();
    case "l1_l2":
    case "l1l2":
      return l1L2();
    default:
      throw new ValueError(`Unknown regularizer: '${id}'. Known regularizers: l1, l2, l1_l2`);
  }
}

/** Keras' `tf.keras.regularizers.get`. */
export const get = getRegularizer;

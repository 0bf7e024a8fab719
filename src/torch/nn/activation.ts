// Activation modules: each wraps the functional form and prints its settings as PyTorch does.
import type { Tensor } from "../../tensor/tensor.js";
import { Module } from "../../nn/module.js";
import * as U from "../../ops/unary.js";
import { logSoftmax, softmax } from "../../ops/softmax.js";
import { hardtanh, softplus } from "./functional.js";
import { pyFloat } from "./repr.js";

/** max(x, 0). @example new nn.ReLU()(x) */
export class ReLU extends Module {
  forward(input: Tensor): Tensor {
    return U.relu(input);
  }
}

/** x where x > 0, else negativeSlope·x (0.01). */
export class LeakyReLU extends Module {
  readonly negativeSlope: number;

  constructor(negativeSlope = 0.01) {
    super();
    this.negativeSlope = negativeSlope;
  }

  forward(input: Tensor): Tensor {
    return U.leakyRelu(input, this.negativeSlope);
  }

  override extraRepr(): string {
    return `negative_slope=${pyFloat(this.negativeSlope)}`;
  }
}

/** x where x > 0, else alpha·(exp(x) − 1) (alpha 1). */
export class ELU extends Module {
  readonly alpha: number;

  constructor(alpha = 1.0) {
    super();
    this.alpha = alpha;
  }

  forward(input: Tensor): Tensor {
    return U.elu(input, this.alpha);
  }

  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}`;
  }
}

/** Gaussian error linear unit: exact (erf) or `{ approximate: "tanh" }`. */
export class GELU extends Module {
  readonly approximate: "none" | "tanh";

  constructor(opts: { approximate?: "none" | "tanh" } = {}) {
    super();
    this.approximate = opts.approximate ?? "none";
  }

  forward(input: Tensor): Tensor {
    return U.gelu(input, { approximate: this.approximate });
  }

  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/** x·sigmoid(x). */
export class SiLU extends Module {
  forward(input: Tensor): Tensor {
    return U.silu(input);
  }
}

/** 1 / (1 + exp(−x)), elementwise (`nn.Sigmoid`). */
export class Sigmoid extends Module {
  forward(input: Tensor): Tensor {
    return U.sigmoid(input);
  }
}

/** tanh(x), elementwise (`nn.Tanh`). */
export class Tanh extends Module {
  forward(input: Tensor): Tensor {
    return U.tanh(input);
  }
}

/** log(1 + exp(βx))/β, linear above the threshold (β 1, threshold 20). */
export class Softplus extends Module {
  readonly beta: number;
  readonly threshold: number;

  constructor(opts: { beta?: number; threshold?: number } = {}) {
    super();
    this.beta = opts.beta ?? 1;
    this.threshold = opts.threshold ?? 20;
  }

  forward(input: Tensor): Tensor {
    return softplus(input, { beta: this.beta, threshold: this.threshold });
  }

  override extraRepr(): string {
    return `beta=${this.beta}, threshold=${this.threshold}`;
  }
}

/** Clamps to [minVal, maxVal] (−1, 1). */
export class Hardtanh extends Module {
  readonly minVal: number;
  readonly maxVal: number;

  constructor(minVal = -1, maxVal = 1) {
    super();
    this.minVal = minVal;
    this.maxVal = maxVal;
  }

  forward(input: Tensor): Tensor {
    return hardtanh(input, this.minVal, this.maxVal);
  }

  override extraRepr(): string {
    return `min_val=${pyFloat(this.minVal)}, max_val=${pyFloat(this.maxVal)}`;
  }
}

/** Softmax over `dim`. @example new nn.Softmax(1) */
export class Softmax extends Module {
  readonly dim: number;

  constructor(dim: number) {
    super();
    this.dim = dim;
  }

  forward(input: Tensor): Tensor {
    return softmax(input, this.dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** log(softmax(x)) over `dim`, computed stably. */
export class LogSoftmax extends Module {
  readonly dim: number;

  constructor(dim: number) {
    super();
    this.dim = dim;
  }

  forward(input: Tensor): Tensor {
    return logSoftmax(input, this.dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

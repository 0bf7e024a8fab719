// Loss modules: `criterion = new nn.MSELoss(); criterion(pred, target)`. Each holds its options
// and calls the core's loss; class weights are registered buffers, as PyTorch registers them.
import type { Tensor } from "../../tensor/tensor.js";
import { Module } from "../../nn/module.js";
import {
  binaryCrossEntropy, binaryCrossEntropyWithLogits, crossEntropy, huberLoss, l1Loss, mseLoss, nllLoss, smoothL1Loss,
  type Reduction,
} from "../../ops/losses/index.js";
import { checkReduction } from "../../ops/losses/common.js";

abstract class Loss extends Module {
  readonly reduction: Reduction;

  constructor(opts: { reduction?: Reduction }) {
    super();
    this.reduction = checkReduction(this._getName(), opts.reduction);
  }

  abstract forward(input: Tensor, target: Tensor): Tensor;
}

abstract class WeightedLoss extends Loss {
  /** Per-class rescaling weight (buffer), or null. */
  declare weight: Tensor | null;

  constructor(opts: { reduction?: Reduction; weight?: Tensor | null }) {
    super(opts);
    this.registerBuffer("weight", opts.weight ?? null);
  }
}

/**
 * Mean squared error (`nn.MSELoss({ reduction })`). Warns, as PyTorch does, when the target's
 * size differs from the input's, since broadcasting then changes the result.
 * @example const criterion = new nn.MSELoss({ reduction: "mean" }); criterion(pred, labels)
 */
export class MSELoss extends Loss {
  constructor(opts: { reduction?: Reduction } = {}) {
    super(opts);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, { reduction: this.reduction });
  }
}

/** Mean absolute error (`nn.L1Loss`); warns on a size mismatch like MSELoss. */
export class L1Loss extends Loss {
  constructor(opts: { reduction?: Reduction } = {}) {
    super(opts);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return l1Loss(input, target, { reduction: this.reduction });
  }
}

/** Huber loss with threshold `delta` (1). */
export class HuberLoss extends Loss {
  readonly delta: number;

  constructor(opts: { reduction?: Reduction; delta?: number } = {}) {
    super(opts);
    this.delta = opts.delta ?? 1;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

/** Smooth L1 loss with threshold `beta` (1). */
export class SmoothL1Loss extends Loss {
  readonly beta: number;

  constructor(opts: { reduction?: Reduction; beta?: number } = {}) {
    super(opts);
    this.beta = opts.beta ?? 1;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

/**
 * Cross entropy of logits [N, C] and class indices [N] (int32) (`nn.CrossEntropyLoss`), with
 * PyTorch's `weight`, `ignoreIndex` (−100), `reduction` and `labelSmoothing` options.
 * @example new nn.CrossEntropyLoss({ labelSmoothing: 0.1 })(logits, y)
 */
export class CrossEntropyLoss extends WeightedLoss {
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;

  constructor(opts: { weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction; labelSmoothing?: number } = {}) {
    super(opts);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
    this.labelSmoothing = opts.labelSmoothing ?? 0;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return crossEntropy(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction, labelSmoothing: this.labelSmoothing });
  }
}

/** Negative log likelihood of log-probabilities [N, C] and class indices [N] (`nn.NLLLoss`). */
export class NLLLoss extends WeightedLoss {
  readonly ignoreIndex: number;

  constructor(opts: { weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction } = {}) {
    super(opts);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

/** Binary cross entropy of probabilities in [0, 1] (`nn.BCELoss`). */
export class BCELoss extends WeightedLoss {
  constructor(opts: { weight?: Tensor | null; reduction?: Reduction } = {}) {
    super(opts);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

/** Sigmoid and binary cross entropy in one stable op (`nn.BCEWithLogitsLoss`), with `posWeight`. */
export class BCEWithLogitsLoss extends WeightedLoss {
  /** Weight of positive examples (buffer), or null. */
  declare posWeight: Tensor | null;

  constructor(opts: { weight?: Tensor | null; reduction?: Reduction; posWeight?: Tensor | null } = {}) {
    super(opts);
    this.registerBuffer("posWeight", opts.posWeight ?? null);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropyWithLogits(input, target, { weight: this.weight, reduction: this.reduction, posWeight: this.posWeight });
  }
}

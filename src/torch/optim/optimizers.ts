// torch.optim.SGD, Adam, AdamW, RMSprop and Adagrad: PyTorch 1.13's option names and defaults
// over the shared update rules (style "torch").
import type { Tensor } from "../../tensor/tensor.js";
import { ValueError } from "../../tensor/errors.js";
import {
  adagradStep, adamStep, rmspropStep, sgdApply, validateAdagrad, validateAdam, validateRmsprop, validateSgd,
  type AdagradHyper, type AdamHyper, type RmspropHyper, type SgdHyper,
} from "../../optim/index.js";
import type { ParamState } from "../../optim/common.js";
import { Optimizer, withDefaults, type ParamGroup, type ParamsArg } from "./optimizer.js";

/** Options of SGD (PyTorch's names, camelCased). */
export interface SGDOptions {
  /** Learning rate (1e-3, PyTorch 2's default; 1.13 required it). */
  lr?: number;
  momentum?: number;
  dampening?: number;
  /** L2 penalty added to the gradient. */
  weightDecay?: number;
  nesterov?: boolean;
  maximize?: boolean;
}

/**
 * Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and weight
 * decay, with PyTorch's update.
 * @example
 * const opt = new torch.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
 * opt.zeroGrad(); loss.backward(); opt.step();
 */
export class SGD extends Optimizer {
  constructor(params: ParamsArg, opts: SGDOptions = {}) {
    super(params, withDefaults({ lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false }, opts));
  }

  private hyper(g: ParamGroup): SgdHyper {
    return { lr: g.lr, momentum: g.momentum, dampening: g.dampening, nesterov: g.nesterov, weightDecay: g.weightDecay, maximize: g.maximize, style: "torch" };
  }

  protected validateGroup(g: ParamGroup): SgdHyper {
    const h = this.hyper(g);
    validateSgd(h);
    return h;
  }

  protected update(p: Tensor, grad: Tensor, state: ParamState, _g: ParamGroup, h: SgdHyper): void {
    sgdApply(p, grad, state, h);
  }
}

/** Options of Adam and AdamW. */
export interface AdamOptions {
  lr?: number;
  /** Decay rates of the first and second moment estimates ([0.9, 0.999]). */
  betas?: readonly [number, number];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
  maximize?: boolean;
}

function adamHyper(g: ParamGroup, decoupled: boolean): AdamHyper {
  const betas = g.betas;
  if (!Array.isArray(betas) || betas.length !== 2) throw new ValueError(`${decoupled ? "AdamW" : "Adam"}: betas must be a pair of numbers, got ${String(betas)}`);
  return {
    lr: g.lr, beta1: betas[0], beta2: betas[1], eps: g.eps, weightDecay: g.weightDecay, amsgrad: g.amsgrad,
    decoupledWeightDecay: decoupled, maximize: g.maximize, style: "torch",
  };
}

/**
 * Adam (Kingma & Ba), with L2 weight decay added to the gradient and optional AMSGrad.
 * @example new torch.optim.Adam(model.parameters(), { lr: 1e-3, betas: [0.9, 0.999] })
 */
export class Adam extends Optimizer {
  constructor(params: ParamsArg, opts: AdamOptions = {}) {
    super(params, withDefaults({ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false }, opts));
  }

  protected validateGroup(g: ParamGroup): void {
    validateAdam(adamHyper(g, false));
  }

  protected update(p: Tensor, grad: Tensor, state: ParamState, g: ParamGroup): void {
    adamStep(p, grad, state, adamHyper(g, false));
  }
}

/**
 * AdamW (Loshchilov & Hutter): Adam with decoupled weight decay (default 0.01).
 * @example new torch.optim.AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.01 })
 */
export class AdamW extends Optimizer {
  constructor(params: ParamsArg, opts: AdamOptions = {}) {
    super(params, withDefaults({ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, maximize: false }, opts));
  }

  protected validateGroup(g: ParamGroup): void {
    validateAdam(adamHyper(g, true));
  }

  protected update(p: Tensor, grad: Tensor, state: ParamState, g: ParamGroup): void {
    adamStep(p, grad, state, adamHyper(g, true));
  }
}

/** Options of RMSprop. */
export interface RMSpropOptions {
  lr?: number;
  /** Smoothing constant of the squared-gradient average (0.99). */
  alpha?: number;
  eps?: number;
  weightDecay?: number;
  momentum?: number;
  /** Normalise by the estimated variance of the gradient instead of its second moment. */
  centered?: boolean;
  maximize?: boolean;
}

/** RMSprop (Hinton), plain or centered, with optional momentum (PyTorch's defaults: lr 0.01, alpha 0.99). */
export class RMSprop extends Optimizer {
  constructor(params: ParamsArg, opts: RMSpropOptions = {}) {
    super(params, withDefaults({ lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false }, opts));
  }

  private hyper(g: ParamGroup): RmspropHyper {
    return { lr: g.lr, alpha: g.alpha, eps: g.eps, weightDecay: g.weightDecay, momentum: g.momentum, centered: g.centered, maximize: g.maximize, style: "torch" };
  }

  protected validateGroup(g: ParamGroup): void {
    validateRmsprop(this.hyper(g));
  }

  protected update(p: Tensor, grad: Tensor, state: ParamState, g: ParamGroup): void {
    rmspropStep(p, grad, state, this.hyper(g));
  }
}

/** Options of Adagrad. */
export interface AdagradOptions {
  lr?: number;
  /** The step size is lr / (1 + (t − 1)·lrDecay). */
  lrDecay?: number;
  weightDecay?: number;
  initialAccumulatorValue?: number;
  eps?: number;
  maximize?: boolean;
}

/** Adagrad (Duchi et al.) with PyTorch's defaults (lr 0.01, eps 1e-10). */
export class Adagrad extends Optimizer {
  constructor(params: ParamsArg, opts: AdagradOptions = {}) {
    super(params, withDefaults({ lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false }, opts));
  }

  private hyper(g: ParamGroup): AdagradHyper {
    return {
      lr: g.lr, lrDecay: g.lrDecay, weightDecay: g.weightDecay, initialAccumulatorValue: g.initialAccumulatorValue, eps: g.eps,
      maximize: g.maximize, style: "torch",
    };
  }

  protected validateGroup(g: ParamGroup): void {
    validateAdagrad(this.hyper(g));
  }

  protected update(p: Tensor, grad: Tensor, state: ParamState, g: ParamGroup): void {
    adagradStep(p, grad, state, this.hyper(g));
  }
}

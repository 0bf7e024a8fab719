// Stochastic gradient descent with momentum, as torch.optim.SGD (1.13) and tf.keras.optimizers.SGD
// (TF ≥ 2.11) compute it. The two differ in where the learning rate enters the momentum.
import type { Tensor } from "../tensor/tensor.js";
import { ValueError } from "../tensor/errors.js";
import { add, mul } from "../ops/binary.js";
import { neg } from "../ops/unary.js";
import { backend } from "../backend/registry.js";
import { checkStyle, fusable, written, kerasWeightDecay, runUpdate, slot, type ParamState, type OptimStyle } from "./common.js";
import { checkBool, checkFinite, checkNonNegative, checkRange } from "./checks.js";

/** SGD hyperparameters. Keras has no `dampening` (must be 0) nor `maximize` (applied as in torch). */
export interface SgdHyper {
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  /** torch: L2 penalty added to the gradient; keras: decoupled decay `p -= p·wd·lr` first. */
  weightDecay: number;
  /** Ascend instead of descend: the gradient's sign is flipped first. */
  maximize: boolean;
  style: OptimStyle;
}

/** The framework defaults. PyTorch 1.13 requires `lr`; 1e-3 is the default of later versions. */
export function sgdDefaults(style: OptimStyle): SgdHyper {
  return { lr: style === "torch" ? 1e-3 : 0.01, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, maximize: false, style };
}

/** Throws a ValueError naming SGD and the bad value. */
export function validateSgd(h: SgdHyper): void {
  const opt = "SGD";
  checkStyle(opt, h.style);
  checkNonNegative(opt, "learning rate", h.lr);
  if (h.style === "keras") checkRange(opt, "momentum", h.momentum, 0, 1, true);
  else checkNonNegative(opt, "momentum", h.momentum);
  checkFinite(opt, "dampening", h.dampening);
  checkNonNegative(opt, "weight_decay value", h.weightDecay);
  checkBool(opt, "nesterov", h.nesterov);
  checkBool(opt, "maximize", h.maximize);
  if (h.style === "torch" && h.nesterov && (h.momentum <= 0 || h.dampening !== 0)) {
    throw new ValueError(`SGD: Nesterov momentum requires a momentum and zero dampening (got momentum ${h.momentum}, dampening ${h.dampening})`);
  }
  if (h.style === "keras" && h.dampening !== 0) {
    throw new ValueError(`SGD: Keras' SGD has no dampening; got dampening ${h.dampening} (expected 0)`);
  }
}

/**
 * One SGD update of `param` in place (under noGrad). State: torch keeps `momentum_buffer` (made on
 * the first step with momentum), keras keeps `m` (the velocity); both count `step`.
 *
 * torch: g ← g + wd·p; b ← g (first step) else m·b + (1−dampening)·g; g ← g + m·b (nesterov) or b;
 * p ← p − lr·g. keras: v ← m·v − lr·g; p ← p + v (nesterov: p ← p + m·v − lr·g).
 *
 * @example
 * const w = tensor([1, 2], { dtype: "float64" }), state = {};
 * sgdStep(w, tensor([0.5, -1], { dtype: "float64" }), state, { ...sgdDefaults("torch"), lr: 0.1 });
 * w.tolist(); // [0.95, 2.1]
 */
export function sgdStep(param: Tensor, grad: Tensor, state: ParamState, h: SgdHyper): void {
  validateSgd(h);
  sgdApply(param, grad, state, h);
}

const TORCH_KEYS = ["momentum_buffer"];
const KERAS_KEYS = ["m"];

/**
 * {@link sgdStep} for hyperparameters already checked by {@link validateSgd}: an optimizer
 * validates a group once per step, not once per parameter (W2's 2 parameters: opt.step 163 →
 * 119 ns, with one hyperparameter object per step and no noGrad closure per parameter).
 */
export function sgdApply(param: Tensor, grad: Tensor, state: ParamState, h: SgdHyper): void {
  const torch = h.style === "torch";
  runUpdate("SGD", param, grad, state, torch ? TORCH_KEYS : KERAS_KEYS, h.maximize, (g) => {
    if (torch) torchSgd(param, g, state, h);
    else kerasSgd(param, g, state, h);
  });
}

function torchSgd(param: Tensor, grad: Tensor, state: ParamState, h: SgdHyper): void {
  let d = grad;
  if (h.weightDecay !== 0) d = add(d, mul(param, h.weightDecay));
  if (h.momentum !== 0) {
    let buf = state.momentum_buffer === undefined ? undefined : slot(state, "momentum_buffer", param, 0);
    if (buf === undefined) {
      // The first step copies the gradient: no dampening yet, as torch does.
      buf = d.clone();
      state.momentum_buffer = buf;
    } else if (d === grad && fusable(param, d)) {
      // The update below fused into one kernel pass, bit for bit (as Adam's): 3 passes become 1.
      backend().sgdMomentumUpdate(param.storage, d.storage, buf.storage, h.momentum, h.dampening, h.lr, h.nesterov, false);
      written(param, buf);
      return;
    } else {
      buf.mul_(h.momentum).add_(d, 1 - h.dampening);
    }
    d = h.nesterov ? add(d, mul(buf, h.momentum)) : buf;
  }
  param.add_(d, -h.lr);
}

// TF 2.11+ (keras/optimizers/optimizer_experimental/sgd.py) builds the velocity slot for every
// variable; with momentum 0 it equals −lr·g, so it is only kept here when momentum ≠ 0.
function kerasSgd(param: Tensor, grad: Tensor, state: ParamState, h: SgdHyper): void {
  kerasWeightDecay(param, h.lr, h.weightDecay);
  if (h.momentum === 0) {
    // p + (−g)·lr as one fused pass: g·(−lr) rounds to the same value as (−g)·lr (negation is
    // exact and rounding symmetric; signs of zero and NaNs agree too).
    param.add_(grad, -h.lr);
    return;
  }
  const m = slot(state, "m", param, 0);
  if (fusable(param, grad)) {
    // The ops below fused into one kernel pass, bit for bit (as Adam's).
    backend().sgdMomentumUpdate(param.storage, grad.storage, m.storage, h.momentum, 0, h.lr, h.nesterov, true);
    written(param, m);
    return;
  }
  const step = mul(neg(grad), h.lr);
  m.copy_(add(step, mul(m, h.momentum)));
  param.add_(h.nesterov ? add(step, mul(m, h.momentum)) : m);
}

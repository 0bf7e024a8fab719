// RMSprop, plain or centered, with optional momentum, as torch.optim.RMSprop (1.13) and
// tf.keras.optimizers.RMSprop (TF ≥ 2.11) compute it. torch adds epsilon after the square root and
// applies the learning rate outside the momentum buffer; Keras adds epsilon inside the square root
// and puts the learning rate into the momentum. (The legacy Keras optimizer_v2 RMSprop without
// momentum added epsilon outside the root, `lr·g / (sqrt(v) + eps)`; TF 2.11+ does not.)
import type { Tensor } from "../tensor/tensor.js";
import { add, div, mul, sub } from "../ops/binary.js";
import { rsqrt, sqrt, square } from "../ops/unary.js";
import { backend } from "../backend/registry.js";
import { checkStyle, fusable, written, kerasWeightDecay, runUpdate, slot, type OptimStyle, type ParamState } from "./common.js";
import { checkBool, checkNonNegative } from "./checks.js";

/** RMSprop hyperparameters; `alpha` is torch's smoothing constant, Keras' `rho`. */
export interface RmspropHyper {
  lr: number;
  alpha: number;
  eps: number;
  /** torch: L2 penalty added to the gradient; keras: decoupled decay `p -= p·wd·lr` first. */
  weightDecay: number;
  momentum: number;
  centered: boolean;
  /** Ascend instead of descend: the gradient's sign is flipped first (torch only; kept for keras). */
  maximize: boolean;
  style: OptimStyle;
}

/** The framework defaults (torch: lr 1e-2, alpha 0.99, eps 1e-8; Keras: lr 1e-3, rho 0.9, eps 1e-7). */
export function rmspropDefaults(style: OptimStyle): RmspropHyper {
  return style === "torch"
    ? { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false, style }
    : { lr: 1e-3, alpha: 0.9, eps: 1e-7, weightDecay: 0, momentum: 0, centered: false, maximize: false, style };
}

/** Throws a ValueError naming RMSprop and the bad value. */
export function validateRmsprop(h: RmspropHyper): void {
  const opt = "RMSprop";
  checkStyle(opt, h.style);
  checkNonNegative(opt, "learning rate", h.lr);
  checkNonNegative(opt, "epsilon value", h.eps);
  checkNonNegative(opt, "momentum value", h.momentum);
  checkNonNegative(opt, "weight_decay value", h.weightDecay);
  checkNonNegative(opt, h.style === "torch" ? "alpha value" : "rho value", h.alpha);
  checkBool(opt, "centered", h.centered);
  checkBool(opt, "maximize", h.maximize);
}

/**
 * One RMSprop update of `param` in place (under noGrad). State: torch `step`, `square_avg`,
 * `momentum_buffer` (momentum > 0), `grad_avg` (centered); keras `step`, `velocity`, `momentum`
 * (momentum > 0), `average_gradient` (centered).
 *
 * torch: v ← α·v + (1−α)·g²; d = sqrt(v − ḡ²) + eps (centered, ḡ ← α·ḡ + (1−α)·g) or sqrt(v) + eps;
 * b ← μ·b + g/d, p ← p − lr·b (momentum) or p ← p − lr·g/d.
 * keras: v ← ρ·v + (1−ρ)·g²; d = v − ḡ² + eps or v + eps; inc = lr·g/sqrt(d);
 * b ← μ·b + inc, p ← p − b (momentum) or p ← p − inc.
 *
 * @example
 * const w = tensor([10]), state = {};  // the example of Keras' RMSprop docstring
 * rmspropStep(w, tensor([10]), state, { ...rmspropDefaults("keras"), lr: 0.1 });
 * w.item(); // 9.683772
 */
export function rmspropStep(param: Tensor, grad: Tensor, state: ParamState, h: RmspropHyper): void {
  validateRmsprop(h);
  const keys = h.style === "torch" ? ["square_avg", "momentum_buffer", "grad_avg"] : ["velocity", "momentum", "average_gradient"];
  runUpdate("RMSprop", param, grad, state, keys, h.maximize, (g) => {
    if (h.style === "torch") torchRmsprop(param, g, state, h);
    else kerasRmsprop(param, g, state, h);
  });
}

function torchRmsprop(param: Tensor, grad: Tensor, state: ParamState, h: RmspropHyper): void {
  let g = grad;
  if (h.weightDecay !== 0) g = add(g, mul(param, h.weightDecay));
  const squareAvg = slot(state, "square_avg", param, 0);
  if (g === grad && !h.centered && h.momentum === 0 && fusable(param, g)) {
    // The ops below fused into one kernel pass, bit for bit (as torch Adam's).
    backend().rmspropUpdate(param.storage, g.storage, squareAvg.storage, h.alpha, h.lr, h.eps, false);
    written(param, squareAvg);
    return;
  }
  // addcmul_(g, g, value=1−α) computes (value·g)·g.
  squareAvg.mul_(h.alpha).add_(mul(mul(g, 1 - h.alpha), g));
  let avg: Tensor;
  if (h.centered) {
    const gradAvg = slot(state, "grad_avg", param, 0);
    gradAvg.mul_(h.alpha).add_(g, 1 - h.alpha);
    avg = add(sqrt(sub(squareAvg, mul(gradAvg, gradAvg))), h.eps);
  } else {
    avg = add(sqrt(squareAvg), h.eps);
  }
  if (h.momentum > 0) {
    const buf = slot(state, "momentum_buffer", param, 0);
    buf.mul_(h.momentum).add_(div(g, avg));
    param.add_(buf, -h.lr);
  } else {
    // addcdiv_(g, avg, value=−lr) computes (value·g)/avg.
    param.add_(div(mul(g, -h.lr), avg));
  }
}

// TF 2.11+ keras/optimizers/optimizer_experimental/rmsprop.py, dense branch.
function kerasRmsprop(param: Tensor, grad: Tensor, state: ParamState, h: RmspropHyper): void {
  kerasWeightDecay(param, h.lr, h.weightDecay);
  const rho = h.alpha;
  const velocity = slot(state, "velocity", param, 0);
  if (!h.centered && h.momentum === 0 && fusable(param, grad)) {
    // The ops below fused into one kernel pass, bit for bit (as Adam's).
    backend().rmspropUpdate(param.storage, grad.storage, velocity.storage, rho, h.lr, h.eps, true);
    written(param, velocity);
    return;
  }
  velocity.copy_(add(mul(velocity, rho), mul(square(grad), 1 - rho)));
  let denominator: Tensor;
  if (h.centered) {
    const averageGrad = slot(state, "average_gradient", param, 0);
    averageGrad.copy_(add(mul(averageGrad, rho), mul(grad, 1 - rho)));
    denominator = add(sub(velocity, square(averageGrad)), h.eps);
  } else {
    denominator = add(velocity, h.eps);
  }
  const increment = mul(mul(grad, h.lr), rsqrt(denominator));
  if (h.momentum > 0) {
    const momentum = slot(state, "momentum", param, 0);
    momentum.copy_(add(mul(momentum, h.momentum), increment));
    param.sub_(momentum);
  } else {
    param.sub_(increment);
  }
}

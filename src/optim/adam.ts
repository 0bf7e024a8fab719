// Adam, AdamW and AMSGrad, as torch.optim.Adam/AdamW (1.13, single-tensor path) and
// tf.keras.optimizers.Adam/AdamW (TF ≥ 2.11) compute them. They differ in where epsilon goes:
// torch adds it to the bias-corrected sqrt(v̂); Keras folds both bias corrections into the step
// size and adds epsilon to the raw sqrt(v) ("epsilon hat" of Kingma & Ba, before section 2.1).
import type { Tensor } from "../tensor/tensor.js";
import { backend } from "../backend/registry.js";
import { add, div, maximum, mul, sub } from "../ops/binary.js";
import { sqrt, square } from "../ops/unary.js";
import { checkStyle, fusable, written, kerasWeightDecay, runUpdate, slot, type OptimStyle, type ParamState } from "./common.js";
import { checkBool, checkNonNegative, checkRange } from "./checks.js";

/** Adam hyperparameters (`beta1`, `beta2` are torch's `betas`, Keras' `beta_1`, `beta_2`). */
export interface AdamHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  /**
   * torch: true is AdamW (`p *= 1 − lr·wd` first), false is Adam (L2: `g += wd·p`). Keras' weight
   * decay is always decoupled (`p -= p·wd·lr`, in the base optimizer), so keras ignores this flag.
   */
  decoupledWeightDecay: boolean;
  /** Ascend instead of descend: the gradient's sign is flipped first (torch only; kept for keras). */
  maximize: boolean;
  style: OptimStyle;
}

/**
 * The framework defaults (torch Adam: eps 1e-8; Keras: eps 1e-7). AdamW's default weight decay
 * (torch 0.01, Keras 0.004) is the caller's business.
 */
export function adamDefaults(style: OptimStyle): AdamHyper {
  return {
    lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: style === "torch" ? 1e-8 : 1e-7, weightDecay: 0,
    amsgrad: false, decoupledWeightDecay: false, maximize: false, style,
  };
}

function adamName(h: AdamHyper): string {
  return h.decoupledWeightDecay && h.style === "torch" ? "AdamW" : "Adam";
}

/** Throws a ValueError naming Adam (or AdamW) and the bad value. */
export function validateAdam(h: AdamHyper): void {
  const opt = adamName(h);
  checkStyle(opt, h.style);
  checkNonNegative(opt, "learning rate", h.lr);
  checkNonNegative(opt, "epsilon value", h.eps);
  checkRange(opt, "beta parameter at index 0", h.beta1, 0, 1);
  checkRange(opt, "beta parameter at index 1", h.beta2, 0, 1);
  checkNonNegative(opt, "weight_decay value", h.weightDecay);
  checkBool(opt, "amsgrad", h.amsgrad);
  checkBool(opt, "decoupledWeightDecay", h.decoupledWeightDecay);
  checkBool(opt, "maximize", h.maximize);
}

/**
 * One Adam update of `param` in place (under noGrad). State: torch `step`, `exp_avg`,
 * `exp_avg_sq`, `max_exp_avg_sq` (amsgrad); keras `step`, `m`, `v`, `vhat` (amsgrad).
 *
 * torch: m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; p ← p − lr/(1−β1ᵗ) · m / (sqrt(v)/sqrt(1−β2ᵗ) + eps).
 * keras: α = lr·sqrt(1−β2ᵗ)/(1−β1ᵗ); m ← m + (g−m)(1−β1); v ← v + (g²−v)(1−β2); p ← p − α·m/(sqrt(v) + eps).
 *
 * @example
 * const w = tensor([1, -1], { dtype: "float64" }), state = {};
 * adamStep(w, tensor([0.3, -2], { dtype: "float64" }), state, { ...adamDefaults("torch"), lr: 0.1 });
 * // first step moves each weight by ≈ lr against the gradient's sign: [0.9, -0.9]
 */
export function adamStep(param: Tensor, grad: Tensor, state: ParamState, h: AdamHyper): void {
  validateAdam(h);
  const keys = h.style === "torch" ? ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"] : ["m", "v", "vhat"];
  runUpdate(adamName(h), param, grad, state, keys, h.maximize, (g, t) => {
    if (h.style === "torch") torchAdam(param, g, state, h, t);
    else kerasAdam(param, g, state, h, t);
  });
}

function torchAdam(param: Tensor, grad: Tensor, state: ParamState, h: AdamHyper, t: number): void {
  let g = grad;
  if (h.weightDecay !== 0) {
    if (h.decoupledWeightDecay) param.mul_(1 - h.lr * h.weightDecay);
    else g = add(g, mul(param, h.weightDecay));
  }
  const expAvg = slot(state, "exp_avg", param, 0);
  const expAvgSq = slot(state, "exp_avg_sq", param, 0);
  if (!h.amsgrad && g === grad && fusable(param, g)) {
    // The same update as the ops below, fused into one kernel pass (bit for bit: each operation
    // rounds where the ops would); on W5's 784×256 parameter a dozen passes become one.
    backend().adamUpdate(param.storage, g.storage, expAvg.storage, expAvgSq.storage, h.beta1, h.beta2, h.lr / (1 - h.beta1 ** t), Math.sqrt(1 - h.beta2 ** t), h.eps);
    written(param, expAvg, expAvgSq);
    return;
  }
  expAvg.mul_(h.beta1).add_(g, 1 - h.beta1);
  // addcmul_(g, g, value=1−β2) computes (value·g)·g.
  expAvgSq.mul_(h.beta2).add_(mul(mul(g, 1 - h.beta2), g));
  const biasCorrection1 = 1 - h.beta1 ** t;
  const biasCorrection2Sqrt = Math.sqrt(1 - h.beta2 ** t);
  const stepSize = h.lr / biasCorrection1;
  let v = expAvgSq;
  if (h.amsgrad) {
    const vMax = slot(state, "max_exp_avg_sq", param, 0);
    vMax.copy_(maximum(vMax, expAvgSq));
    v = vMax;
  }
  const denom = add(div(sqrt(v), biasCorrection2Sqrt), h.eps);
  // addcdiv_(m, denom, value=−step_size) computes (value·m)/denom.
  param.add_(div(mul(expAvg, -stepSize), denom));
}

// TF 2.11+ keras/optimizers/optimizer_experimental/adam.py, dense branch. The legacy
// optimizer_v2 Adam (ResourceApplyAdam) computes the same update with the same epsilon placement.
function kerasAdam(param: Tensor, grad: Tensor, state: ParamState, h: AdamHyper, t: number): void {
  kerasWeightDecay(param, h.lr, h.weightDecay);
  const alpha = (h.lr * Math.sqrt(1 - h.beta2 ** t)) / (1 - h.beta1 ** t);
  const m = slot(state, "m", param, 0);
  let v = slot(state, "v", param, 0);
  if (!h.amsgrad && fusable(param, grad)) {
    // The ops below fused into one kernel pass, bit for bit (as torchAdam's).
    backend().kerasAdamUpdate(param.storage, grad.storage, m.storage, v.storage, h.beta1, h.beta2, alpha, h.eps);
    written(param, m, v);
    return;
  }
  m.add_(mul(sub(grad, m), 1 - h.beta1));
  v.add_(mul(sub(square(grad), v), 1 - h.beta2));
  if (h.amsgrad) {
    const vHat = slot(state, "vhat", param, 0);
    vHat.copy_(maximum(vHat, v));
    v = vHat;
  }
  param.sub_(div(mul(m, alpha), add(sqrt(v), h.eps)));
}

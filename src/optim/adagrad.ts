// Adagrad, as torch.optim.Adagrad (1.13) and tf.keras.optimizers.Adagrad (TF ≥ 2.11) compute it.
// torch adds epsilon after the square root and can decay the learning rate; Keras adds epsilon
// inside the square root. (The legacy Keras optimizer_v2 Adagrad, ResourceApplyAdagradV2, added it
// outside: `lr·g / (sqrt(acc) + eps)`; TF 2.11+ does not.)
import type { Tensor } from "../tensor/tensor.js";
import { ValueError } from "../tensor/errors.js";
import { add, div, mul } from "../ops/binary.js";
import { sqrt } from "../ops/unary.js";
import { backend } from "../backend/registry.js";
import { checkStyle, fusable, written, kerasWeightDecay, runUpdate, slot, type OptimStyle, type ParamState } from "./common.js";
import { checkBool, checkNonNegative } from "./checks.js";

/** Adagrad hyperparameters. Keras has no `lrDecay` (must be 0). */
export interface AdagradHyper {
  lr: number;
  /** torch: the step size is lr / (1 + (t−1)·lrDecay). */
  lrDecay: number;
  /** torch: L2 penalty added to the gradient; keras: decoupled decay `p -= p·wd·lr` first. */
  weightDecay: number;
  /** Starting value of the sum of squared gradients (torch 0, Keras 0.1). */
  initialAccumulatorValue: number;
  eps: number;
  /** Ascend instead of descend: the gradient's sign is flipped first (torch only; kept for keras). */
  maximize: boolean;
  style: OptimStyle;
}

/** The framework defaults (torch: lr 1e-2, eps 1e-10, accumulator 0; Keras: lr 1e-3, eps 1e-7, accumulator 0.1). */
export function adagradDefaults(style: OptimStyle): AdagradHyper {
  return style === "torch"
    ? { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false, style }
    : { lr: 1e-3, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0.1, eps: 1e-7, maximize: false, style };
}

/** Throws a ValueError naming Adagrad and the bad value. */
export function validateAdagrad(h: AdagradHyper): void {
  const opt = "Adagrad";
  checkStyle(opt, h.style);
  checkNonNegative(opt, "learning rate", h.lr);
  checkNonNegative(opt, "lr_decay value", h.lrDecay);
  checkNonNegative(opt, "weight_decay value", h.weightDecay);
  checkNonNegative(opt, "initial_accumulator_value", h.initialAccumulatorValue);
  checkNonNegative(opt, "epsilon value", h.eps);
  checkBool(opt, "maximize", h.maximize);
  if (h.style === "keras" && h.lrDecay !== 0) {
    throw new ValueError(`Adagrad: Keras' Adagrad has no lr_decay; got lrDecay ${h.lrDecay} (expected 0)`);
  }
}

/**
 * One Adagrad update of `param` in place (under noGrad). State: torch `step`, `sum`; keras `step`,
 * `accumulator`; the sum starts at `initialAccumulatorValue`.
 *
 * torch: clr = lr / (1 + (t−1)·lrDecay); s ← s + g²; p ← p − clr·g / (sqrt(s) + eps).
 * keras: s ← s + g²; p ← p − lr·g / sqrt(s + eps).
 *
 * @example
 * const w = tensor([1], { dtype: "float64" }), state = {};
 * adagradStep(w, tensor([2], { dtype: "float64" }), state, { ...adagradDefaults("torch"), lr: 0.5 });
 * w.item(); // ≈ 0.5  (1 − 0.5·2/2)
 */
export function adagradStep(param: Tensor, grad: Tensor, state: ParamState, h: AdagradHyper): void {
  validateAdagrad(h);
  const key = h.style === "torch" ? "sum" : "accumulator";
  runUpdate("Adagrad", param, grad, state, [key], h.maximize, (update, t) => {
    let g = update;
    const acc = slot(state, key, param, h.initialAccumulatorValue);
    const keras = h.style !== "torch";
    const clr = keras ? h.lr : h.lr / (1 + (t - 1) * h.lrDecay);
    // TF 2.11+ keras/optimizers/optimizer_experimental/adagrad.py, dense branch: decay first.
    if (keras) kerasWeightDecay(param, h.lr, h.weightDecay);
    if ((keras || h.weightDecay === 0) && fusable(param, g)) {
      // The ops below fused into one kernel pass, bit for bit (as Adam's).
      backend().adagradUpdate(param.storage, g.storage, acc.storage, clr, h.eps, keras);
      written(param, acc);
      return;
    }
    if (!keras) {
      if (h.weightDecay !== 0) g = add(g, mul(param, h.weightDecay));
      acc.add_(mul(g, g));
      // addcdiv_(g, std, value=−clr) computes (value·g)/std.
      param.add_(div(mul(g, -clr), add(sqrt(acc), h.eps)));
    } else {
      acc.add_(mul(g, g));
      param.sub_(div(mul(g, clr), sqrt(add(acc, h.eps))));
    }
  });
}

// mse_loss as one op (reductions "mean" and "sum" of an input and a target of one shape and
// float dtype): one pass and one graph node each way instead of sub, square and mean, and their
// three VJPs (W2's loss). The forward gives the composition's bits on each backend (the kernel
// sums the way that backend's sum does); the gradient is PyTorch's mse_loss_backward.
import type { Tensor } from "../../tensor/tensor.js";
import { backend } from "../../backend/registry.js";
import { applyRule } from "../apply.js";
import type { RuleSet } from "../rule.js";
import { castTo, empty } from "../util.js";
import { mul, sub } from "../binary.js";
import { neg } from "../unary.js";
import { sum } from "../reduce.js";

declare module "../rule.js" {
  interface OpAttrs {
    mse_loss: MseAttrs;
    /** Inputs (g, input, target), g the loss's 0-d gradient: (norm·(input − target))·g. */
    mse_loss_backward: MseAttrs;
  }
}

type MseAttrs = { reduction: "mean" | "sum" };

const SCALAR_SHAPE: readonly number[] = [];
// One attrs record per reduction, shared by every call (nothing writes attrs).
const MEAN: MseAttrs = Object.freeze({ reduction: "mean" });
const SUM: MseAttrs = Object.freeze({ reduction: "sum" });

/** PyTorch's norm: 2/n for a mean (in float64, rounded to the dtype by the kernel), 2 for a sum. */
function normOf(n: number, reduction: "mean" | "sum"): number {
  return reduction === "mean" ? 2 / n : 2;
}

export const mseRules: RuleSet<"mse_loss" | "mse_loss_backward"> = {
  mse_loss: {
    forward([x, y], a) {
      const out = empty(SCALAR_SHAPE, x.dtype);
      backend().mseLoss(x.storage, y.storage, a.reduction === "mean", out.storage);
      return out;
    },
    vjp(g, [x, y], _o, a, needs) {
      // PyTorch's derivatives.yaml: target's is mse_loss_backward(grad, target, self), the
      // negation of input's except for the sign of a zero (+0 where x = y, not −0).
      return [needs[0] ? mseLossBackward(g, x, y, a) : null, needs[1] ? mseLossBackward(g, y, x, a) : null];
    },
    saves: [0, 1],
  },
  mse_loss_backward: {
    forward([g, x, y], a) {
      const out = empty(x.shape, x.dtype);
      const gv = castTo(g, x.dtype).storage[0];
      backend().mseLossBackward(x.storage, y.storage, normOf(x.storage.length, a.reduction), gv, out.storage);
      return out;
    },
    // PyTorch's mse_loss_double_backward: d/dx = norm·gg·g, d/dy its negation, d/dg = Σ norm·(x−y)·gg.
    vjp(gg, [g, x, y], _o, a, needs) {
      const norm = normOf(x.storage.length, a.reduction);
      const dg = needs[0] ? mul(sum(mul(gg, sub(x, y))), norm) : null;
      const dx = needs[1] || needs[2] ? mul(mul(gg, g), norm) : null;
      return [dg, needs[1] ? dx : null, needs[2] && dx !== null ? neg(dx) : null];
    },
    saves: [0, 1, 2],
  },
};

/** The gradient of mse_loss for input `x` (target `y`): one op, recorded when anything is. */
function mseLossBackward(g: Tensor, x: Tensor, y: Tensor, attrs: MseAttrs): Tensor {
  return applyRule("mse_loss_backward", mseRules.mse_loss_backward, [g, x, y], attrs);
}

/** mse_loss of `x` and `y` of one shape and float dtype, reduced by a mean or a sum. */
export function mseLossFused(x: Tensor, y: Tensor, reduction: "mean" | "sum"): Tensor {
  return applyRule("mse_loss", mseRules.mse_loss, [x, y], reduction === "mean" ? MEAN : SUM);
}

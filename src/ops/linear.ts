// x·Wᵀ + b (torch's linear with a bias) as one op: the product and the bias added in one output
// buffer, one graph node each way instead of two (matmul, then add). The kernels and their order
// are the composition's (the product, then a broadcast add into it), so the bits are too.
import type { Tensor } from "../tensor/tensor.js";
import { backend } from "../backend/registry.js";
import { applyRule } from "./apply.js";
import type { RuleSet } from "./rule.js";
import { NO_ATTRS, empty } from "./util.js";
import { sumTo } from "./reduce.js";
import { NO_BATCH, matmulT } from "./linalg.js";

declare module "./rule.js" {
  interface OpAttrs {
    /** Inputs x [B, in], weight [out, in], bias [out], of one float dtype. */
    linear: {};
  }
}

export const linearRules: RuleSet<"linear"> = {
  linear: {
    forward([x, w, b]) {
      const m = x.shape[0];
      const k = x.shape[1];
      const n = w.shape[0];
      const shape = [m, n];
      const out = empty(shape, x.dtype);
      const be = backend();
      be.matmul(x.storage, w.storage, out.storage, { m, k, n, aOffsets: NO_BATCH, bOffsets: NO_BATCH, transA: false, transB: true });
      be.binary("add", out.storage, shape, b.storage, b.shape, out.storage, shape);
      return out;
    },
    // The composition's gradients: matmul's (with transB) and add's (the bias summed over rows).
    vjp: (g, [x, w, b], _o, _a, needs) => [
      needs[0] ? matmulT(g, w) : null,
      needs[1] ? matmulT(g, x, true, false) : null,
      needs[2] ? sumTo(g, b.shape) : null,
    ],
    saves: [0, 1],
  },
};

/**
 * x·Wᵀ + b for x [B, in], weight [out, in] and bias [out] of one float dtype (the caller checks).
 */
export function linearBias(x: Tensor, w: Tensor, b: Tensor): Tensor {
  return applyRule("linear", linearRules.linear, [x, w, b], NO_ATTRS);
}

import type { Tensor } from "../tensor/tensor.js";
import { normDim } from "../tensor/shape.js";
import { exp } from "./unary.js";
import { sub } from "./binary.js";
import { logsumexp } from "./reduce.js";
import { requireFloat } from "./util.js";

/** softmax along `dim`, stable for large inputs (exp of x minus its logsumexp). */
export function softmax(x: Tensor, dim: number): Tensor {
  requireFloat("softmax", x);
  // Validate here so that a bad dim is reported as softmax's, not log_softmax's.
  return exp(logSoftmax(x, normDim("softmax", dim, x.ndim)));
}

/** log of softmax along `dim`, computed as x - logsumexp(x) (no overflow). */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  requireFloat("log_softmax", x);
  const d = normDim("log_softmax", dim, x.ndim);
  return sub(x, logsumexp(x, d, true));
}

import type { Tensor } from "../tensor/tensor.js";
import { ValueError } from "../tensor/errors.js";
import { bernoulliMask } from "../tensor/random_ops.js";
import type { TorchGenerator } from "../tensor/random/torch_generator.js";
import { requireFloat } from "./util.js";
import { div, mul } from "./binary.js";

/**
 * Dropout as PyTorch's F.dropout: in training, zeroes each element with probability `p` and
 * scales the rest by 1 / (1 - p); in eval (or with p = 0) returns `x` itself. p = 1 gives zeros.
 * The mask comes from `generator` (the global torch-side one by default): reproducible under a
 * seed, though not PyTorch's own bernoulli stream.
 * @example dropout(h, 0.5, model.training)
 */
export function dropout(x: Tensor, p = 0.5, training = true, generator?: TorchGenerator): Tensor {
  if (!(p >= 0 && p <= 1)) throw new ValueError(`dropout: dropout probability has to be between 0 and 1, but got ${p}`);
  requireFloat("dropout", x);
  if (p === 0 || !training || x.numel() === 0) return x;
  if (p === 1) return mul(x, 0);
  return dropoutWithMask(x, bernoulliMask(x.shape, 1 - p, x.dtype, generator), p);
}

/**
 * Dropout with a given keep-mask (1 = keep, 0 = drop, x's shape): `x * (mask / (1 - p))`.
 * @example dropoutWithMask(x, mask, 0.25)
 */
export function dropoutWithMask(x: Tensor, mask: Tensor, p: number): Tensor {
  if (!(p >= 0 && p < 1)) throw new ValueError(`dropout: with a mask, p must be in [0, 1), got ${p}`);
  return mul(x, div(mask, 1 - p));
}

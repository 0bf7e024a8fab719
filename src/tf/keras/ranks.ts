// Keras' `squeeze_or_expand_dimensions`, shared by losses and metrics: labels, predictions and
// sample weights whose ranks differ by a trailing size-1 axis are brought to one rank, so that
// `[batch, 1]` meets `[batch]` without broadcasting to `[batch, batch]`.
import type { Tensor } from "../../tensor/tensor.js";
import { squeeze, unsqueeze } from "../../ops/api.js";

/**
 * Labels and predictions with a trailing size-1 axis that only one of the two has squeezed away.
 * @example alignRanks(labels, preds) // [200] and [200, 1] -> [200] and [200]
 */
export function alignRanks(t: Tensor, p: Tensor): [Tensor, Tensor] {
  if (p.ndim - t.ndim === 1 && p.shape[p.ndim - 1] === 1) return [t, squeeze(p, -1)];
  if (t.ndim - p.ndim === 1 && t.shape[t.ndim - 1] === 1) return [squeeze(t, -1), p];
  return [t, p];
}

/**
 * Sample weights brought to rank `ndim`: trailing size-1 axes squeezed, then trailing axes added,
 * so per-sample weights `[batch]` meet per-sample values of any rank.
 * @example weightsToRank(w, 2) // [200] -> [200, 1]
 */
export function weightsToRank(w: Tensor, ndim: number): Tensor {
  while (w.ndim > ndim && w.shape[w.ndim - 1] === 1) w = squeeze(w, -1);
  while (w.ndim < ndim) w = unsqueeze(w, -1);
  return w;
}

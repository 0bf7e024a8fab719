import type { Tensor } from "../tensor/tensor.js";
import { fmtShape, normDim } from "../tensor/shape.js";
import { DTypeError, IndexError, ShapeError } from "../tensor/errors.js";
import { arange } from "../tensor/creation.js";
import { aliasOf } from "./apply.js";
import { eq, mul, where } from "./binary.js";
import { expand, reshape, unsqueeze } from "./shape.js";
import { checkIndex, gather, scatterAdd } from "./indexing.js";
import { cast } from "./unary.js";
import { toTensor, type TensorLike } from "./util.js";

/** `index` (int32, 0-D or 1-D) as the gather index that picks its entries along `dim` of `shape`. */
function spreadIndex(op: string, shape: readonly number[], dim: number, index: Tensor): Tensor {
  if (index.ndim > 1) throw new ShapeError(`${op}: index is supposed to be a vector (got index of size ${fmtShape(index.shape)})`);
  checkIndex(op, index, shape[dim]);
  const k = index.numel();
  const view = shape.map((_, d) => (d === dim ? k : 1));
  const out = shape.map((n, d) => (d === dim ? k : n));
  return expand(reshape(index, view), out);
}

/**
 * The entries of `x` at `index` (int32, a vector) along `dim`, as torch.index_select. Repeated
 * indices accumulate in the gradient.
 * @example indexSelect(x, 0, tensor([2, 0], { dtype: "int32" })) // rows 2 and 0
 */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  if (x.ndim === 0) {
    normDim("index_select", dim, 0);
    if (index.numel() !== 1) throw new IndexError(`index_select: index should have exactly one element for a 0-d input (got index of size ${fmtShape(index.shape)})`);
    return reshape(indexSelect(reshape(x, [1]), 0, reshape(index, [1])), []);
  }
  const d = normDim("index_select", dim, x.ndim);
  return gather(x, d, spreadIndex("index_select", x.shape, d, index));
}

/**
 * `x` with `alpha * source` added at `index` (int32, a vector) along `dim`, as torch.index_add
 * (out of place); repeated indices accumulate. `source` has x's shape with dim `dim` of index's length.
 * @example indexAdd(zeros([3, 2]), 0, tensor([0, 0], { dtype: "int32" }), ones([2, 2])) // row 0 = 2
 */
export function indexAdd(x: Tensor, dim: number, index: Tensor, source: Tensor, alpha = 1): Tensor {
  if (x.ndim === 0) {
    normDim("index_add", dim, 0);
    return reshape(indexAdd(reshape(x, [1]), 0, reshape(index, [-1]), reshape(source, [-1]), alpha), []);
  }
  const d = normDim("index_add", dim, x.ndim);
  const want = x.shape.map((n, i) => (i === d ? index.numel() : n));
  if (source.ndim !== x.ndim || source.shape.some((n, i) => n !== want[i])) {
    throw new ShapeError(`index_add: source of size ${fmtShape(source.shape)} does not match ${fmtShape(want)} (self ${fmtShape(x.shape)} with dim ${d} of the index's length ${index.numel()})`);
  }
  const idx = spreadIndex("index_add", x.shape, d, index);
  return scatterAdd(x, d, idx, alpha === 1 ? source : mul(source, alpha));
}

/**
 * `x` with `value` where `mask` (bool, broadcast against x) is true, as torch.masked_fill; the
 * result keeps x's dtype. A 0-d tensor `value` receives the gradient of the filled entries.
 * @example maskedFill(scores, causal.logicalNot(), -Infinity)
 */
export function maskedFill(x: Tensor, mask: Tensor, value: TensorLike): Tensor {
  if (mask.dtype !== "bool") throw new DTypeError(`masked_fill: only supports boolean masks, but got mask with dtype ${mask.dtype} (shape ${fmtShape(mask.shape)})`);
  const v = toTensor(value);
  if (v.ndim !== 0) {
    throw new ShapeError(`masked_fill: only supports a 0-dimensional value tensor, but got tensor with ${v.ndim} dimension(s) (shape ${fmtShape(v.shape)})`);
  }
  const out = where(mask, v, x);
  return out.dtype === x.dtype ? out : cast(out, x.dtype);
}

export interface EmbeddingOptions {
  /** The row at this index receives no gradient (its value is still looked up). */
  paddingIdx?: number | null;
}

/**
 * Looks rows of `weight` [V, D] up by `indices` (int32, any shape): output [...indices.shape, D],
 * as PyTorch's F.embedding. Repeated indices accumulate in the gradient; the `paddingIdx` row
 * gets none.
 * @example embedding(tokens, table) // tokens [B, T], table [V, D] -> [B, T, D]
 */
export function embedding(indices: Tensor, weight: Tensor, opts: EmbeddingOptions = {}): Tensor {
  if (weight.ndim !== 2) throw new ShapeError(`embedding: 'weight' must be 2-D, got weight of size ${fmtShape(weight.shape)}`);
  if (indices.dtype !== "int32") {
    throw new DTypeError(`embedding: expected indices of an integer dtype (int32), but got ${indices.dtype} (shape ${fmtShape(indices.shape)})`);
  }
  const [v, dim] = weight.shape;
  for (const i of indices.storage) {
    if (i < 0 || i >= v) throw new IndexError(`embedding: index ${i} is out of range in self (num_embeddings ${v}, indices of size ${fmtShape(indices.shape)})`);
  }
  let table = weight;
  const p = opts.paddingIdx;
  if (p !== undefined && p !== null) {
    if (!Number.isInteger(p) || p < -v || p >= v) throw new IndexError(`embedding: padding_idx must be within num_embeddings (${v}), got ${p}`);
    // The padding row reads a detached copy of itself, so no gradient reaches it.
    const isPad = eq(reshape(arange(0, v, 1, { dtype: "int32" }), [v, 1]), p < 0 ? p + v : p);
    table = where(isPad, aliasOf(weight), weight);
  }
  return reshape(indexSelect(table, 0, reshape(indices, [-1])), [...indices.shape, dim]);
}

/**
 * A bool tensor of shape [...indices.shape, depth], true where the last index equals the class
 * (out-of-range indices give an all-false row). Both dialects' one-hot functions build on it.
 * @example oneHotMask(tensor(Int32Array.from([0, 2])), 3) // [[true, false, false], [false, false, true]]
 */
export function oneHotMask(indices: Tensor, depth: number): Tensor {
  return eq(unsqueeze(indices, -1), arange(0, depth, 1, { dtype: "int32" }));
}

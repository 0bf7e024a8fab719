import type { Tensor } from "../tensor/tensor.js";
import { backend } from "../backend/registry.js";
import { fmtShape, normDim } from "../tensor/shape.js";
import { DTypeError, IndexError, ShapeError } from "../tensor/errors.js";
import { apply } from "./apply.js";
import type { RuleSet } from "./rule.js";
import { castTo, computeType, empty } from "./util.js";

declare module "./rule.js" {
  interface OpAttrs {
    gather: { dim: number };
    scatter_add: { dim: number };
  }
}

/** Validates an integer index tensor against a dim of `size`, naming the op. */
export function checkIndex(op: string, index: Tensor, size: number, allowNegative = false): void {
  if (index.dtype !== "int32") {
    throw new DTypeError(`${op}: expected an integer index tensor (int32), got ${index.dtype} (shape ${fmtShape(index.shape)})`);
  }
  const d = index.storage;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (v >= size || v < (allowNegative ? -size : 0)) {
      throw new IndexError(`${op}: index ${v} is out of bounds for dimension with size ${size}`);
    }
  }
}

function checkGatherShapes(op: string, x: Tensor, dim: number, index: Tensor): void {
  if (index.ndim !== x.ndim) {
    throw new ShapeError(`${op}: index tensor must have the same number of dimensions as input tensor (input ${fmtShape(x.shape)}, index ${fmtShape(index.shape)})`);
  }
  for (let d = 0; d < x.ndim; d++) {
    if (d !== dim && index.shape[d] > x.shape[d]) {
      throw new ShapeError(`${op}: size does not match at dimension ${d}: expected index ${fmtShape(index.shape)} to be smaller than self ${fmtShape(x.shape)} apart from dimension ${dim}`);
    }
  }
}

export const indexingRules: RuleSet<"gather" | "scatter_add"> = {
  gather: {
    forward([x, index], a) {
      const out = empty(index.shape, x.dtype);
      backend().gather(x.storage, x.shape, a.dim, index.storage, index.shape, out.storage);
      return out;
    },
    vjp: (g, [x, index], _o, a) => [scatterAdd(zerosOf(x), a.dim, index, g), null],
    saves: [1],
  },
  scatter_add: {
    forward([dst, index, src], a) {
      const dt = computeType(dst, src);
      const out = empty(dst.shape, dt);
      out.storage.set(castTo(dst, dt).storage);
      backend().scatterAdd(out.storage, dst.shape, a.dim, index.storage, index.shape, castTo(src, dt).storage);
      return out;
    },
    vjp: (g, [, index], _o, a, needs) => [needs[0] ? g : null, null, needs[2] ? gather(g, a.dim, index) : null],
    saves: [1],
  },
};

function zerosOf(x: Tensor): Tensor {
  return empty(x.shape, x.dtype);
}

/** out[i][j] = x[i][index[i][j]] along `dim` (torch.gather); index is int32. */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  const d = normDim("gather", dim, x.ndim);
  checkGatherShapes("gather", x, d, index);
  checkIndex("gather", index, x.ndim === 0 ? 1 : x.shape[d]);
  return apply("gather", [x, index], { dim: d });
}

/** dst with src added at index along `dim` (torch.scatter_add, out of place). */
export function scatterAdd(dst: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  const d = normDim("scatter_add", dim, dst.ndim);
  checkGatherShapes("scatter_add", dst, d, index);
  for (let k = 0; k < index.ndim; k++) {
    if (index.shape[k] > src.shape[k]) {
      throw new ShapeError(`scatter_add: expected index ${fmtShape(index.shape)} to be smaller than src ${fmtShape(src.shape)}`);
    }
  }
  checkIndex("scatter_add", index, dst.ndim === 0 ? 1 : dst.shape[d]);
  return apply("scatter_add", [dst, index, src], { dim: d });
}

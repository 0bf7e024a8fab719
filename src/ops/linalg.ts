import type { Tensor } from "../tensor/tensor.js";
import { backend } from "../backend/registry.js";
import { broadcastShapes, fmtShape, numel, stridesOf } from "../tensor/shape.js";
import { DTypeError, ShapeError } from "../tensor/errors.js";
import { applyRule } from "./apply.js";
import type { RuleSet } from "./rule.js";
import { castTo, computeType, empty } from "./util.js";
import { sumTo } from "./reduce.js";
import { squeeze, unsqueeze } from "./shape.js";

declare module "./rule.js" {
  interface OpAttrs {
    /**
     * Batched product of ≥2-D operands with broadcast batch dims. `transA` means `a` holds Aᵀ
     * ([…, k, m]) and the product uses A; likewise `transB` ([…, n, k]). The kernels read the
     * transposed layout directly, so backward passes (g·Bᵀ, Aᵀ·g) copy nothing.
     */
    matmul: { transA?: boolean; transB?: boolean };
  }
}

function batchOffsets(batch: readonly number[], own: readonly number[], matSize: number): Int32Array {
  // Offset of each broadcast batch entry into an operand whose batch dims are `own`.
  const n = numel(batch);
  const offs = new Int32Array(n);
  const lead = batch.length - own.length;
  const ownStrides = stridesOf(own);
  const idx = new Array<number>(batch.length).fill(0);
  for (let i = 0; i < n; i++) {
    let o = 0;
    for (let d = lead; d < batch.length; d++) if (own[d - lead] !== 1) o += idx[d] * ownStrides[d - lead];
    offs[i] = o * matSize;
    for (let d = batch.length - 1; d >= 0; d--) {
      if (++idx[d] < batch[d]) break;
      idx[d] = 0;
    }
  }
  return offs;
}

/**
 * The batch offsets of an unbatched product: one matrix at offset 0 (read-only, shared). An
 * Int32Array as batchOffsets' are, so the kernels' reads see one kind of array (a frozen array
 * there measured 5.8 ns a read against 1.3).
 */
export const NO_BATCH: Int32Array = new Int32Array(1);

export const linalgRules: RuleSet<"matmul"> = {
  matmul: {
    forward(inputs, attrs) {
      const a = inputs[0];
      const b = inputs[1];
      const transA = attrs.transA ?? false;
      const transB = attrs.transB ?? false;
      const m = a.shape[a.ndim - (transA ? 1 : 2)];
      const k = a.shape[a.ndim - (transA ? 2 : 1)];
      const n = b.shape[b.ndim - (transB ? 2 : 1)];
      const dt = a.dtype === b.dtype ? a.dtype : computeType(a, b);
      if (a.ndim === 2 && b.ndim === 2) {
        // No batch dims (a linear layer and its gradients): no batch shapes or offsets to build.
        const out = empty([m, n], dt);
        const layout = { m, k, n, aOffsets: NO_BATCH, bOffsets: NO_BATCH, transA, transB };
        backend().matmul(castTo(a, dt).storage, castTo(b, dt).storage, out.storage, layout);
        return out;
      }
      const ab = a.shape.slice(0, -2);
      const bb = b.shape.slice(0, -2);
      const batch = broadcastShapes("matmul", ab, bb);
      const out = empty([...batch, m, n], dt);
      backend().matmul(castTo(a, dt).storage, castTo(b, dt).storage, out.storage, {
        m,
        k,
        n,
        aOffsets: batchOffsets(batch, ab, m * k),
        bOffsets: batchOffsets(batch, bb, k * n),
        transA,
        transB,
      });
      return out;
    },
    // C = op(A)·op(B), g = dC. Each gradient is again one product with transpose flags, in the
    // stored layout of its operand: dA = g·op(B)ᵀ (stored transposed: op(B)·gᵀ), dB = op(A)ᵀ·g
    // (stored transposed: gᵀ·op(A)).
    vjp: (g, [a, b], _o, { transA = false, transB = false }, needs) => [
      needs[0] ? sumTo(transA ? mm(b, g, transB, true) : mm(g, b, false, !transB), a.shape) : null,
      needs[1] ? sumTo(transB ? mm(g, a, true, transA) : mm(a, g, !transA, false), b.shape) : null,
    ],
    saves: [0, 1],
  },
};

// The four attribute records, shared instead of made per product (attrs are never written).
const MM_ATTRS = [
  Object.freeze({}),
  Object.freeze({ transA: false, transB: true }),
  Object.freeze({ transA: true, transB: false }),
  Object.freeze({ transA: true, transB: true }),
] as const;

function mm(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
  return applyRule("matmul", linalgRules.matmul, [a, b], MM_ATTRS[(transA ? 2 : 0) + (transB ? 1 : 0)]);
}

/**
 * Batched matrix product of ≥2-D operands with either one read transposed, without copying:
 * op(a)·op(b) where op(x) is xᵀ (its last two dims swapped) when the flag is set. Batch dims
 * broadcast. Differentiable; `matmulT(x, w, false, true)` is `x @ w.T` (a linear layer).
 * @example matmulT(x, w, false, true) // [128, 784] @ [256, 784]ᵀ -> [128, 256]
 */
export function matmulT(a: Tensor, b: Tensor, transA = false, transB = false): Tensor {
  if (a.ndim < 2 || b.ndim < 2) {
    throw new ShapeError(`matmulT: both arguments need at least 2 dimensions, but they are ${a.ndim}D and ${b.ndim}D`);
  }
  if (a.dtype === "bool" || b.dtype === "bool") throw new DTypeError(`matmulT: not implemented for bool tensors`);
  const ka = a.shape[a.ndim - (transA ? 2 : 1)];
  const kb = b.shape[b.ndim - (transB ? 1 : 2)];
  if (ka !== kb) {
    const desc = (t: Tensor, tr: boolean) => `${dims(t)}${tr ? " transposed" : ""}`;
    throw new ShapeError(`matmulT: mat1 and mat2 shapes cannot be multiplied (${desc(a, transA)} and ${desc(b, transB)})`);
  }
  if (a.ndim > 2 || b.ndim > 2) broadcastShapes("matmulT", a.shape.slice(0, -2), b.shape.slice(0, -2));
  return mm(a, b, transA, transB);
}

const dims = (t: Tensor) => (t.ndim === 2 ? `${t.shape[0]}x${t.shape[1]}` : fmtShape(t.shape));

/**
 * Matrix product with torch.matmul's rules: 1-D operands are promoted to a row/column and the
 * added dim removed after; ≥3-D operands are batches with broadcast batch dims.
 * @example matmul(x, w) // [200, 1] @ [1, 1] -> [200, 1]
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 0 || b.ndim === 0) {
    throw new ShapeError(`matmul: both arguments need at least 1 dimension, but they are ${a.ndim}D and ${b.ndim}D`);
  }
  if (a.dtype === "bool" || b.dtype === "bool") throw new DTypeError(`matmul: not implemented for bool tensors`);
  const a2 = a.ndim === 1 ? unsqueeze(a, 0) : a;
  const b2 = b.ndim === 1 ? unsqueeze(b, -1) : b;
  if (a2.shape[a2.ndim - 1] !== b2.shape[b2.ndim - 2]) {
    if (a.ndim <= 2 && b.ndim <= 2) {
      throw new ShapeError(`matmul: mat1 and mat2 shapes cannot be multiplied (${dims(a2)} and ${dims(b2)})`);
    }
    throw new ShapeError(`matmul: inner dimensions differ: ${fmtShape(a.shape)} @ ${fmtShape(b.shape)} (${a2.shape[a2.ndim - 1]} vs ${b2.shape[b2.ndim - 2]})`);
  }
  if (a2.ndim > 2 || b2.ndim > 2) broadcastShapes("matmul", a2.shape.slice(0, -2), b2.shape.slice(0, -2));
  let out = mm(a2, b2, false, false);
  if (b.ndim === 1) out = squeeze(out, -1);
  if (a.ndim === 1) out = squeeze(out, a.ndim === 1 && b.ndim === 1 ? 0 : -2);
  return out;
}


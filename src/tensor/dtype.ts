/** Element types duograd stores. PyTorch's int64 maps to int32 (JavaScript has no fast 64-bit ints). */
export type DType = "float32" | "float64" | "int32" | "bool";

export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

/** Allocates a zeroed buffer of `n` elements for `dtype`. */
export function allocBuffer(dtype: DType, n: number): TypedArray {
  switch (dtype) {
    case "float32":
      return new Float32Array(n);
    case "float64":
      return new Float64Array(n);
    case "int32":
      return new Int32Array(n);
    case "bool":
      return new Uint8Array(n);
  }
}

/** The dtype a typed array holds; a Uint8Array is bool. */
export function dtypeOfBuffer(a: TypedArray): DType {
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Float64Array) return "float64";
  if (a instanceof Int32Array) return "int32";
  return "bool";
}

/** Whether `d` is float32 or float64. */
export function isFloating(d: DType): boolean {
  return d === "float32" || d === "float64";
}

const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };

/** torch.promote_types for the dtypes duograd has. */
export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

/** One operand of an op as seen by type promotion. */
export interface PromotionOperand {
  dtype: DType;
  ndim: number;
  /** A JavaScript number wrapped into a 0-d tensor: lowest priority, as PyTorch's wrapped numbers. */
  wrapped: boolean;
}

// PyTorch's combine_categories: a lower-priority operand only matters if it is of a higher category.
function combine(higher: DType | null, lower: DType | null): DType | null {
  if (higher === null) return lower;
  if (lower === null) return higher;
  if (isFloating(higher)) return higher;
  if (higher === "bool" || isFloating(lower)) return promoteTypes(higher, lower);
  return higher;
}

/**
 * torch.result_type: dimensioned tensors outrank 0-d tensors, which outrank wrapped numbers,
 * unless a lower-priority operand is of a higher category (bool < integer < floating).
 */
export function resultType(ops: readonly PromotionOperand[]): DType {
  let dim: DType | null = null;
  let zero: DType | null = null;
  let wrapped: DType | null = null;
  for (const o of ops) {
    if (o.wrapped) {
      // A wrapped float takes the default dtype, not float64, as in PyTorch.
      const d = o.dtype === "float64" ? "float32" : o.dtype;
      wrapped = wrapped === null ? d : promoteTypes(wrapped, d);
    } else if (o.ndim === 0) zero = zero === null ? o.dtype : promoteTypes(zero, o.dtype);
    else dim = dim === null ? o.dtype : promoteTypes(dim, o.dtype);
  }
  return combine(dim, combine(zero, wrapped)) ?? "float32";
}

/**
 * resultType of two operands, without building operand records: the case of every binary op,
 * run once per op. Same answer as `resultType([a, b])`.
 */
export function resultType2(a: DType, aNdim: number, aWrapped: boolean, b: DType, bNdim: number, bWrapped: boolean): DType {
  // Priority class: 0 dimensioned, 1 zero-dim, 2 wrapped number (which takes float32 for a float).
  const ca = aWrapped ? 2 : aNdim === 0 ? 1 : 0;
  const cb = bWrapped ? 2 : bNdim === 0 ? 1 : 0;
  const da = aWrapped && a === "float64" ? "float32" : a;
  const db = bWrapped && b === "float64" ? "float32" : b;
  if (ca === cb) return promoteTypes(da, db);
  return ca < cb ? combine(da, db)! : combine(db, da)!;
}

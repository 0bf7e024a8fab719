// Tensor creation under PyTorch's calling conventions: sizes as separate numbers or one array,
// keyword arguments in a trailing options object (`torch.zeros(2, 3, { dtype: torch.float64 })`).
import { Tensor } from "../tensor/tensor.js";
import type { DType, TypedArray } from "../tensor/dtype.js";
import { ValueError } from "../tensor/errors.js";
import * as C from "../tensor/creation.js";
import * as R from "../tensor/random_ops.js";
import type { TorchGenerator } from "../tensor/random/torch_generator.js";

/** Keyword options of the creation functions. */
export interface TensorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

/** Keyword options of the random creation functions. */
export interface RandomTensorOptions extends TensorOptions {
  generator?: TorchGenerator;
}

type SizeArg = number | readonly number[];

const isOpts = (v: unknown): v is object => v !== null && typeof v === "object" && !Array.isArray(v) && !ArrayBuffer.isView(v);

/** Splits `(2, 3, opts)` / `([2, 3], opts)` into the size and the options. */
function sizeAndOpts<O extends object>(op: string, args: readonly unknown[]): [number[], O | undefined] {
  const last = args[args.length - 1];
  const opts = isOpts(last) ? (last as O) : undefined;
  const sizes = (opts ? args.slice(0, -1) : args) as SizeArg[];
  return [C.shapeFromArgs(op, sizes), opts];
}

/**
 * A tensor from nested arrays, a typed array or a number (`torch.tensor`). JavaScript numbers
 * give float32 unless `dtype` says otherwise; a typed array keeps its dtype.
 * @example torch.tensor([[1, 2], [3, 4]], { requiresGrad: true })
 */
export function tensor(data: C.NestedArray | TypedArray | Tensor, opts?: TensorOptions): Tensor {
  return C.tensor(data, opts);
}

/** Like `tensor`, but returns `data` itself when it already is a tensor of the requested dtype. */
export function asTensor(data: C.NestedArray | TypedArray | Tensor, opts?: { dtype?: DType }): Tensor {
  if (data instanceof Tensor && (opts?.dtype === undefined || opts.dtype === data.dtype)) return data;
  return C.tensor(data, opts);
}

/** An uninitialised tensor (duograd's are zero-filled). @example torch.empty(1, 1).uniform_(-0.1, 0.1) */
export function empty(...args: (SizeArg | TensorOptions)[]): Tensor {
  const [s, o] = sizeAndOpts<TensorOptions>("empty", args);
  return C.empty(s, o);
}

/** @example torch.zeros(2, 3) */
export function zeros(...args: (SizeArg | TensorOptions)[]): Tensor {
  const [s, o] = sizeAndOpts<TensorOptions>("zeros", args);
  return C.zeros(s, o);
}

/** @example torch.ones([2, 3], { dtype: torch.float64 }) */
export function ones(...args: (SizeArg | TensorOptions)[]): Tensor {
  const [s, o] = sizeAndOpts<TensorOptions>("ones", args);
  return C.ones(s, o);
}

/** A tensor of `size` filled with `fillValue`. @example torch.full([2, 2], 7) */
export function full(size: SizeArg, fillValue: number | boolean, opts?: TensorOptions): Tensor {
  return C.full(C.shapeFromArgs("full", [size]), fillValue, opts);
}

/** Zeros of `t`'s shape and dtype (unless `opts` says otherwise). @example torch.zerosLike(w) */
export function zerosLike(t: Tensor, opts?: TensorOptions): Tensor {
  return C.zerosLike(t, opts);
}

/** Ones of `t`'s shape and dtype (unless `opts` says otherwise). */
export function onesLike(t: Tensor, opts?: TensorOptions): Tensor {
  return C.onesLike(t, opts);
}

/** An uninitialised (zero-filled) tensor of `t`'s shape and dtype. */
export function emptyLike(t: Tensor, opts?: TensorOptions): Tensor {
  return C.emptyLike(t, opts);
}

/** `fillValue` everywhere, in `t`'s shape and dtype. @example torch.fullLike(x, 7) */
export function fullLike(t: Tensor, fillValue: number, opts?: TensorOptions): Tensor {
  return C.fullLike(t, fillValue, opts);
}

/**
 * Values from `start` to `end` (exclusive) by `step`: `arange(end)`, `arange(start, end, step?)`,
 * each optionally followed by options. Integer arguments give int32 (PyTorch: int64).
 * @example torch.arange(5); torch.arange(0, 1, 0.25, { dtype: torch.float64 })
 */
export function arange(...args: (number | TensorOptions)[]): Tensor {
  const opts = isOpts(args[args.length - 1]) ? (args.pop() as TensorOptions) : undefined;
  const nums = args as number[];
  if (nums.length < 1 || nums.length > 3 || nums.some((n) => typeof n !== "number")) {
    throw new ValueError(`arange: expected arange(end), arange(start, end) or arange(start, end, step), got ${nums.length} numbers`);
  }
  return nums.length === 1 ? C.arange(0, nums[0], 1, opts) : C.arange(nums[0], nums[1], nums[2] ?? 1, opts);
}

/** `steps` evenly spaced values from start to end, inclusive. */
export function linspace(start: number, end: number, steps: number, opts?: TensorOptions): Tensor {
  return C.linspace(start, end, steps, opts);
}

/** The n×m identity (m = n by default). @example torch.eye(3) */
export function eye(n: number, m?: number | TensorOptions, opts?: TensorOptions): Tensor {
  if (isOpts(m)) return C.eye(n, n, m as TensorOptions);
  return C.eye(n, (m as number | undefined) ?? n, opts);
}

/** Uniform on [0, 1) from the torch generator (`torch.rand(2, 3)`); PyTorch's numbers after the same seed. */
export function rand(...args: (SizeArg | RandomTensorOptions)[]): Tensor {
  const [s, o] = sizeAndOpts<RandomTensorOptions>("rand", args);
  return R.rand(s, o);
}

/** Standard normal from the torch generator (`torch.randn(2, 3)`). */
export function randn(...args: (SizeArg | RandomTensorOptions)[]): Tensor {
  const [s, o] = sizeAndOpts<RandomTensorOptions>("randn", args);
  return R.randn(s, o);
}

/**
 * Integers in [low, high): `randint(low, high, size)` or `randint(high, size)`, int32.
 * @example torch.randint(0, 10, [3])
 */
export function randint(a: number, b: number | readonly number[], c?: readonly number[] | RandomTensorOptions, d?: RandomTensorOptions): Tensor {
  if (Array.isArray(b)) return R.randint(0, a, C.shapeFromArgs("randint", [b as readonly number[]]), c as RandomTensorOptions | undefined);
  if (!Array.isArray(c)) throw new ValueError("randint: expected randint(low, high, size) or randint(high, size), with size an array");
  return R.randint(a, b as number, C.shapeFromArgs("randint", [c as readonly number[]]), d);
}

/** A random permutation of 0..n−1, int32. */
export function randperm(n: number, opts?: RandomTensorOptions): Tensor {
  return R.randperm(n, opts);
}

/** Uniform on [0, 1) in `t`'s shape and dtype, from the torch generator. */
export function randLike(t: Tensor, opts?: RandomTensorOptions): Tensor {
  return R.rand(t.shape, { dtype: t.dtype, ...opts });
}

/** Standard normal in `t`'s shape and dtype, from the torch generator. */
export function randnLike(t: Tensor, opts?: RandomTensorOptions): Tensor {
  return R.randn(t.shape, { dtype: t.dtype, ...opts });
}

import type { Node } from "../autograd/node.js";
import type { DType, TypedArray } from "./dtype.js";
import { fmtShape } from "./shape.js";
import { formatTensor } from "./format.js";
import { ValueError } from "./errors.js";

let nextId = 1;

/**
 * An n-dimensional array of one dtype, stored contiguously in row-major order, that can take part
 * in automatic differentiation. Ops are attached as methods by the ops layer (`x.add(y)`).
 *
 * @example
 * const x = tensor([[1, 2], [3, 4]]);
 * x.shape; // [2, 2]
 */
export class Tensor {
  // The fields are `declare`d and set in the constructor only: emitted as class fields they would
  // first be defined as undefined on every new tensor (an op makes one per call) and then set.
  /** Unique id, for stable ordering and debugging. */
  declare readonly id: number;
  declare readonly shape: readonly number[];
  declare readonly dtype: DType;
  /** The elements, row-major. Views made by reshape/detach share it with their base. */
  declare storage: TypedArray;
  /** Whether gradients flow to this tensor. A leaf with `requiresGrad` accumulates `.grad`. */
  declare requiresGrad: boolean;
  /** Accumulated gradient of a leaf (PyTorch's `.grad`). */
  declare grad: Tensor | null;
  /** The graph node that produced this tensor, or null for a leaf. */
  declare gradFn: Node | null;
  /** In-place change counter; views read their base's. */
  declare _version: number;
  /** The tensor whose storage this one views, for shared version counting. */
  declare _base: Tensor | null;
  /** A JavaScript number wrapped for an op: lowest priority in type promotion. */
  declare _wrapped: boolean;
  /** Keep `.grad` on a non-leaf after backward (`retainGrad()`). */
  declare _retainsGrad: boolean;

  constructor(storage: TypedArray, shape: readonly number[], dtype: DType) {
    this.id = nextId++;
    this.storage = storage;
    this.shape = shape;
    this.dtype = dtype;
    this.requiresGrad = false;
    this.grad = null;
    this.gradFn = null;
    this._version = 0;
    this._base = null;
    this._wrapped = false;
    this._retainsGrad = false;
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** Number of elements. */
  numel(): number {
    return this.storage.length;
  }

  /** PyTorch's `x.dim()`. */
  dim(): number {
    return this.shape.length;
  }

  /** PyTorch's `x.size()` / `x.size(d)`. */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    if (dim === undefined) return this.shape.slice();
    const d = dim < 0 ? dim + this.shape.length : dim;
    if (d < 0 || d >= this.shape.length) {
      throw new ValueError(`size: dimension out of range (expected to be in range of [${-this.shape.length}, ${this.shape.length - 1}], but got ${dim})`);
    }
    return this.shape[d];
  }

  /** A leaf is a tensor no op produced: user-made, or made while not recording. */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** The version counter of the storage (bumped by every in-place op). */
  get version(): number {
    return this._base === null ? this._version : this._base._version;
  }

  /** Marks an in-place change. */
  _bumpVersion(): void {
    if (this._base === null) this._version++;
    else this._base._version++;
  }

  /** The single value of a one-element tensor, as a JS number (or boolean for bool). */
  item(): number {
    if (this.storage.length !== 1) {
      throw new ValueError(`item: a Tensor with ${this.storage.length} elements cannot be converted to Scalar (shape ${fmtShape(this.shape)})`);
    }
    return this.storage[0];
  }

  /** Nested arrays of numbers (booleans for bool tensors), as PyTorch's `tolist()`. */
  tolist(): unknown {
    const data = this.storage;
    const bool = this.dtype === "bool";
    const shape = this.shape;
    if (shape.length === 0) return bool ? data[0] !== 0 : data[0];
    let pos = 0;
    const build = (d: number): unknown[] => {
      const out: unknown[] = new Array(shape[d]);
      for (let i = 0; i < shape[d]; i++) {
        if (d === shape.length - 1) {
          const v = data[pos++];
          out[i] = bool ? v !== 0 : v;
        } else out[i] = build(d + 1);
      }
      return out;
    };
    return build(0);
  }

  /** A copy of the elements as a typed array of this tensor's dtype. */
  toTypedArray(): TypedArray {
    return this.storage.slice();
  }

  /** The elements without copying (TensorFlow.js's name). Writing to it bypasses autograd. */
  dataSync(): TypedArray {
    return this.storage;
  }

  toString(): string {
    return formatTensor(this);
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return formatTensor(this);
  }
}

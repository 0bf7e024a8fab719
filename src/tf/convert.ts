import { Tensor } from "../tensor/tensor.js";
import type { DType, TypedArray } from "../tensor/dtype.js";
import { tensor, type NestedArray } from "../tensor/creation.js";
import { ValueError } from "../tensor/errors.js";
import { cast } from "../ops/unary.js";

/** What TensorFlow functions accept where a tensor is expected: a tensor, a number, nested arrays, a typed array. */
export type TensorInput = Tensor | NestedArray | TypedArray;

function isTypedArray(x: unknown): x is TypedArray {
  return x instanceof Float32Array || x instanceof Float64Array || x instanceof Int32Array || x instanceof Uint8Array;
}

/**
 * `value` as a tensor (TF's `tf.convert_to_tensor`): a tensor is returned as it is (cast when a
 * different `dtype` is asked for); numbers and arrays become float32 unless `dtype` says otherwise
 * (JavaScript cannot tell 1 from 1.0); typed arrays keep their dtype and are copied.
 * @example convertToTensor([[1, 2], [3, 4]]) // float32 [2, 2]
 */
export function convertToTensor(value: TensorInput, dtype?: DType | null): Tensor {
  if (value instanceof Tensor) return dtype && dtype !== value.dtype ? cast(value, dtype) : value;
  if (isTypedArray(value)) return tensor(value, dtype ? { dtype } : undefined);
  if (typeof value === "number" || typeof value === "boolean" || Array.isArray(value)) {
    return tensor(value as NestedArray, dtype ? { dtype } : undefined);
  }
  throw new ValueError(`convert_to_tensor: cannot convert ${value === null ? "null" : typeof value} to a tensor`);
}

// The arrays fit, evaluate and predict take: tensors or array-likes, one per model input, cut into
// batches along the first axis.
import { Tensor } from "../../tensor/tensor.js";
import { ValueError } from "../../tensor/errors.js";
import { fromBuffer } from "../../tensor/creation.js";
import { indexSelect, narrow, unsqueeze } from "../../ops/api.js";
import { convertToTensor, type TensorInput } from "../convert.js";

/** One input, or one per input of a multi-input model. */
export type Inputs = Tensor | Tensor[];
/** What users pass: tensors, numbers, nested arrays, typed arrays; an array of tensors for several inputs. */
export type DataInput = TensorInput | readonly Tensor[];

const list = (x: Inputs): Tensor[] => (Array.isArray(x) ? x : [x]);

/** `x` as tensors; an array of tensors means one tensor per model input. */
export function toInputs(x: DataInput): Inputs {
  if (Array.isArray(x) && x.length > 0 && x.every((e) => e instanceof Tensor)) return x.slice() as Tensor[];
  return convertToTensor(x as TensorInput);
}

/** Keras' `expand_1d`: a vector of samples becomes a column, [n] → [n, 1]. */
export function expand1d(x: Inputs): Inputs {
  const one = (t: Tensor) => (t.ndim === 1 ? unsqueeze(t, -1) : t);
  return Array.isArray(x) ? x.map(one) : one(x);
}

/** The number of samples, checked to agree across every array (Keras' "data cardinality"). */
export function cardinality(named: readonly [string, Inputs | null][]): number {
  const sizes: [string, number[]][] = [];
  for (const [name, x] of named) {
    if (x === null) continue;
    const ns = list(x).map((t) => {
      if (t.ndim === 0) throw new ValueError(`Data for ${name} must have a batch dimension, got a scalar`);
      return t.shape[0];
    });
    sizes.push([name, ns]);
  }
  const all = sizes.flatMap(([, ns]) => ns);
  if (all.length && all.some((n) => n !== all[0])) {
    const lines = sizes.map(([name, ns]) => `  ${name} sizes: ${ns.join(", ")}`).join("\n");
    throw new ValueError(`Data cardinality is ambiguous:\n${lines}\nMake sure all arrays contain the same number of samples.`);
  }
  return all.length ? all[0] : 0;
}

/** Rows `start`..`end` of every array. */
export function rows(x: Inputs, start: number, end: number): Inputs {
  const one = (t: Tensor) => narrow(t, 0, start, end - start);
  return Array.isArray(x) ? x.map(one) : one(x);
}

/** The rows at `index` of every array. */
export function pick(x: Inputs, index: Int32Array): Inputs {
  const idx = fromBuffer(index.slice(), [index.length], "int32");
  const one = (t: Tensor) => indexSelect(t, 0, idx);
  return Array.isArray(x) ? x.map(one) : one(x);
}

// PyTorch state dicts as safetensors bytes, under PyTorch's names. duograd's module fields are
// the camelCase of PyTorch's (BatchNorm's `runningMean` is PyTorch's `running_mean`), so each dotted
// segment is converted on the way out and back on the way in: a file written here loads in PyTorch
// with `safetensors.torch.load_file` + `load_state_dict`, and a PyTorch file loads here.
import { Tensor } from "../tensor/tensor.js";
import { ValueError } from "../tensor/errors.js";
import type { StateDict } from "../nn/module.js";
import { deserialize, serialize } from "./safetensors.js";

/** `runningMean` → `running_mean` for each dotted segment (`bn.runningMean` → `bn.running_mean`). */
export function toPyTorchName(key: string): string {
  return key
    .split(".")
    .map((s) => (/^[a-z]/.test(s) ? s.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase() : s))
    .join(".");
}

/**
 * `running_mean` → `runningMean` for each dotted segment; an underscore before a letter becomes
 * the letter's capital (one before a digit stays: `fc_1` is kept).
 */
export function fromPyTorchName(key: string): string {
  return key
    .split(".")
    .map((s) => (/^[a-z]/.test(s) ? s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()) : s))
    .join(".");
}

/** Options of {@link stateDictToBytes}. */
export interface SaveStateOptions {
  /** Extra `__metadata__` strings (`format: "pt"` is always written, as Hugging Face does). */
  metadata?: Record<string, string>;
  /** Write the keys as given instead of converting them to PyTorch's snake_case (false). */
  keepNames?: boolean;
}

/**
 * A state dict as safetensors bytes with PyTorch's names; int32 tensors (BatchNorm's
 * `numBatchesTracked`) are written as I64, PyTorch's dtype for them.
 * @example const bytes = stateDictToBytes(model.stateDict());
 */
export function stateDictToBytes(stateDict: StateDict, opts: SaveStateOptions = {}): Uint8Array {
  if (typeof (stateDict as { stateDict?: unknown } | null)?.stateDict === "function") {
    throw new ValueError("torch.save: duograd saves state dicts, not modules: call torch.save(model.stateDict(), path) (the class is code; rebuild it and loadStateDict)");
  }
  if (typeof stateDict !== "object" || stateDict === null || Array.isArray(stateDict) || stateDict instanceof Tensor) {
    throw new ValueError(`torch.save: expected a state dict (an object of named tensors), got ${stateDict === null ? "null" : stateDict instanceof Tensor ? "a Tensor (wrap it: { name: t })" : typeof stateDict}`);
  }
  const out: Record<string, Tensor> = {};
  const from = new Map<string, string>();
  for (const [key, t] of Object.entries(stateDict)) {
    if (!(t instanceof Tensor)) throw new ValueError(`torch.save: state dict entry '${key}' is not a Tensor (got ${t === null ? "null" : typeof t})`);
    const name = opts.keepNames ? key : toPyTorchName(key);
    const clash = from.get(name);
    if (clash !== undefined) throw new ValueError(`torch.save: keys '${clash}' and '${key}' both become '${name}' under PyTorch's names; rename one, or pass keepNames`);
    from.set(name, key);
    out[name] = t;
  }
  return serialize(out, {
    metadata: { format: "pt", ...opts.metadata },
    dtypes: (_, t) => (t.dtype === "int32" ? "I64" : undefined),
  });
}

/** Options of {@link stateDictFromBytes}. */
export interface LoadStateOptions {
  /** Keep the file's keys instead of converting PyTorch's snake_case to camelCase (false). */
  keepNames?: boolean;
}

/**
 * The state dict in safetensors bytes, keys converted to duograd's camelCase names.
 * @example model.loadStateDict(stateDictFromBytes(bytes));
 */
export function stateDictFromBytes(bytes: Uint8Array, opts: LoadStateOptions = {}): StateDict {
  const { tensors } = deserialize(bytes);
  const out: StateDict = {};
  for (const [key, t] of Object.entries(tensors)) {
    const name = opts.keepNames ? key : fromPyTorchName(key);
    if (Object.prototype.hasOwnProperty.call(out, name)) throw new ValueError(`torch.load: two keys of the file become '${name}' under duograd's names; load with keepNames`);
    out[name] = t;
  }
  return out;
}

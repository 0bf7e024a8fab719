// Keras weights as safetensors bytes, keyed by variable paths. A path names each layer as Keras 3's
// saving does, by its class in snake_case numbered within its parent (`dense`, `dense_1`,
// `sequential/dense`), then the variable (`kernel`, `moving_mean`): `dense_1/kernel`. Unlike layer
// names (`dense_7` after six other Dense layers), the paths depend only on the model's structure,
// so a file written by one instance loads into a fresh one built the same way.
import type { Tensor } from "../tensor/tensor.js";
import { fmtShape, shapesEqual } from "../tensor/shape.js";
import { ValueError } from "../tensor/errors.js";
import type { Layer } from "../tf/keras/layer.js";
import type { Variable } from "../tf/variable.js";
import { toSnakeCase } from "../tf/keras/names.js";
import { deserialize, serialize } from "./safetensors.js";

const childLayers = (l: Layer): Layer[] => (l as unknown as { _childLayers(): Layer[] })._childLayers();

/** The variable's own name inside its layer: `dense_3/kernel:0` → `kernel`. */
function shortName(v: Variable, layer: Layer): string {
  let n = v.name.endsWith(":0") ? v.name.slice(0, -2) : v.name;
  if (n.startsWith(`${layer.name}/`)) n = n.slice(layer.name.length + 1);
  return n === "" ? "variable" : n;
}

/**
 * Every weight of `model` with its path, own weights of a layer before its sublayers'. A variable
 * reachable twice (a shared layer) is listed once, under its first path.
 * @example weightPaths(model).map(([p]) => p); // ["dense/kernel", "dense/bias", "dense_1/kernel", …]
 */
export function weightPaths(model: Layer): [string, Variable][] {
  const out: [string, Variable][] = [];
  const seen = new Set<Variable>();
  const taken = new Set<string>();
  const unique = (p: string): string => {
    let q = p;
    for (let i = 1; taken.has(q); i++) q = `${p}_${i}`;
    taken.add(q);
    return q;
  };
  const walk = (layer: Layer, prefix: string): void => {
    const kids = childLayers(layer);
    const inKids = new Set(kids.flatMap((k) => k.weights));
    for (const v of layer.weights) {
      if (inKids.has(v) || seen.has(v)) continue;
      seen.add(v);
      out.push([unique(prefix + shortName(v, layer)), v]);
    }
    const used = new Map<string, number>();
    for (const k of kids) {
      const base = toSnakeCase(k.constructor.name);
      const n = used.get(base) ?? 0;
      used.set(base, n + 1);
      walk(k, `${prefix}${n === 0 ? base : `${base}_${n}`}/`);
    }
  };
  walk(model, "");
  return out;
}

/**
 * The model's weights as safetensors bytes (what `model.saveWeights(path)` writes).
 * @example const bytes = kerasWeightsToBytes(model);
 */
export function kerasWeightsToBytes(model: Layer, metadata: Record<string, string> = {}): Uint8Array {
  const tensors: Record<string, Tensor> = {};
  for (const [p, v] of weightPaths(model)) tensors[p] = v;
  return serialize(tensors, { metadata: { format: "keras", producer: "duograd", ...metadata } });
}

/**
 * Sets the model's weights from safetensors bytes written by {@link kerasWeightsToBytes}. The
 * paths must match exactly and every shape must agree; all is checked before any weight
 * changes, so a failed load leaves the model as it was.
 */
export function loadKerasWeights(model: Layer, bytes: Uint8Array, what = "loadWeights"): void {
  const { tensors } = deserialize(bytes);
  const paths = weightPaths(model);
  if (paths.length === 0 && Object.keys(tensors).length > 0) {
    throw new ValueError(`${what}: model '${model.name}' has no weights yet: build it first (call it on a batch, or model.build(inputShape)), then load its ${Object.keys(tensors).length} weights`);
  }
  const expected = new Set(paths.map(([p]) => p));
  const missing = paths.map(([p]) => p).filter((p) => !(p in tensors));
  const unexpected = Object.keys(tensors).filter((p) => !expected.has(p));
  const errors: string[] = [];
  if (missing.length) errors.push(`missing weight(s): ${missing.map((p) => `'${p}'`).join(", ")}`);
  if (unexpected.length) errors.push(`unexpected weight(s) in the file: ${unexpected.map((p) => `'${p}'`).join(", ")}`);
  for (const [p, v] of paths) {
    const t = tensors[p];
    if (t === undefined) continue;
    if (!shapesEqual(t.shape, v.shape)) errors.push(`weight '${p}' has shape ${fmtShape(v.shape)} in the model but ${fmtShape(t.shape)} in the file`);
    else if (t.dtype === "bool" && v.dtype !== "bool") errors.push(`weight '${p}' is ${v.dtype} in the model but bool in the file`);
  }
  if (errors.length) throw new ValueError(`${what}: the file does not fit model '${model.name}':\n\t${errors.join("\n\t")}`);
  for (const [p, v] of paths) v.assign(tensors[p]);
}

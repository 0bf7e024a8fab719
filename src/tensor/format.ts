import type { Tensor } from "./tensor.js";

// PyTorch's repr: fixed 4 decimals unless the magnitudes call for scientific notation,
// a leading `tensor(`, rows aligned, summarised with `...` past 1000 elements.
const EDGE = 3;
const THRESHOLD = 1000;

function formatter(t: Tensor): (v: number) => string {
  if (t.dtype === "bool") return (v) => (v ? "True" : "False");
  if (t.dtype === "int32") return (v) => String(v);
  let maxAbs = 0;
  let minAbs = Infinity;
  let allInt = true;
  for (let i = 0; i < t.storage.length; i++) {
    const v = t.storage[i];
    if (!Number.isFinite(v)) continue;
    const a = Math.abs(v);
    if (a > maxAbs) maxAbs = a;
    if (a !== 0 && a < minAbs) minAbs = a;
    if (v !== Math.round(v)) allInt = false;
  }
  const special = (v: number): string | null =>
    Number.isNaN(v) ? "nan" : v === Infinity ? "inf" : v === -Infinity ? "-inf" : null;
  if (allInt && maxAbs < 1e8) return (v) => special(v) ?? `${v.toFixed(0)}.`;
  const sci = maxAbs > 1e8 || (minAbs !== Infinity && (minAbs < 1e-4 || maxAbs / minAbs > 1000));
  if (sci) return (v) => special(v) ?? v.toExponential(4).replace(/e([+-])(\d)$/, "e$10$2");
  return (v) => special(v) ?? v.toFixed(4);
}

/** PyTorch-style text of a tensor: values, then dtype and grad info where they are not the default. */
export function formatTensor(t: Tensor): string {
  const fmt = formatter(t);
  const summarise = t.storage.length > THRESHOLD;
  const strs: string[] = [];
  for (let i = 0; i < t.storage.length; i++) strs.push(fmt(t.storage[i]));
  const width = strs.reduce((w, s) => Math.max(w, s.length), 0);
  const shape = t.shape;
  const strides: number[] = [];
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = acc;
    acc *= shape[d];
  }
  const indent = "tensor(".length;
  const block = (d: number, off: number): string => {
    if (d === shape.length) return strs[off].padStart(width);
    const n = shape[d];
    const idx: (number | null)[] = [];
    if (summarise && n > 2 * EDGE) {
      for (let i = 0; i < EDGE; i++) idx.push(i);
      idx.push(null);
      for (let i = n - EDGE; i < n; i++) idx.push(i);
    } else for (let i = 0; i < n; i++) idx.push(i);
    const parts = idx.map((i) => (i === null ? "..." : block(d + 1, off + i * strides[d])));
    const sep = d === shape.length - 1 ? ", " : "," + "\n".repeat(shape.length - d - 1) + " ".repeat(indent + d + 1);
    return `[${parts.join(sep)}]`;
  };
  const body = shape.length === 0 ? strs[0] : block(0, 0);
  const extras: string[] = [];
  if (t.storage.length === 0) extras.push(`size=(${shape.join(", ")}${shape.length === 1 ? "," : ""})`);
  if (t.dtype !== "float32" && t.dtype !== "bool") extras.push(`dtype=duograd.${t.dtype}`);
  if (t.gradFn !== null) extras.push(`grad_fn=<${t.gradFn.displayName}>`);
  else if (t.requiresGrad) extras.push("requires_grad=True");
  return `tensor(${body}${extras.length ? ", " + extras.join(", ") : ""})`;
}

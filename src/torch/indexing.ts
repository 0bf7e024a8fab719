// Python-style basic indexing for the torch dialect: `x.index("1:3, ::2")` is PyTorch's
// `x[1:3, ::2]`. JavaScript has no slice syntax, so the index is written as Python would write it,
// in a string, or as separate items. The result is built from the core's slicing and reshape ops,
// so it is differentiable like any other op.
import { Tensor } from "../tensor/tensor.js";
import { fmtShape } from "../tensor/shape.js";
import { IndexError, ValueError } from "../tensor/errors.js";
import { reshape, resolveSlice, sliceDims, type SliceSpec } from "../ops/shape.js";

/** The ellipsis item (`...` in Python). */
export const Ellipsis = "...";

/** A Python slice `start:stop:step` (each part optional). */
export interface Slice {
  start?: number | null;
  stop?: number | null;
  step?: number | null;
}

/**
 * One index item: an integer, `null` (Python's `None`, a new axis of size 1), `"..."`, a
 * {@link Slice}, or a string holding one or more comma-separated items in Python syntax.
 */
export type IndexItem = number | null | string | Slice;

type Parsed = { kind: "int"; value: number } | { kind: "slice"; spec: Slice } | { kind: "new" } | { kind: "ellipsis" };

function parseInt10(text: string, whole: string): number | null {
  const t = text.trim();
  if (t === "") return null;
  if (!/^[+-]?\d+$/.test(t)) throw new ValueError(`index: cannot parse ${JSON.stringify(t)} in ${JSON.stringify(whole)}: expected an integer`);
  return Number(t);
}

/** Parses one item written in Python syntax: `"2"`, `"-1"`, `"1:3"`, `"::2"`, `"None"`, `"..."`. */
function parseText(text: string, whole: string): Parsed {
  const t = text.trim();
  if (t === "...") return { kind: "ellipsis" };
  if (t === "None" || t === "null" || t === "newaxis") return { kind: "new" };
  if (t.includes(":")) {
    const parts = t.split(":");
    if (parts.length > 3) throw new ValueError(`index: invalid slice ${JSON.stringify(t)} in ${JSON.stringify(whole)}`);
    return { kind: "slice", spec: { start: parseInt10(parts[0], whole), stop: parseInt10(parts[1], whole), step: parts.length === 3 ? parseInt10(parts[2], whole) : null } };
  }
  const v = parseInt10(t, whole);
  if (v === null) throw new ValueError(`index: empty index item in ${JSON.stringify(whole)}`);
  return { kind: "int", value: v };
}

function parseItems(items: readonly IndexItem[]): Parsed[] {
  const out: Parsed[] = [];
  for (const it of items) {
    if (it === null) out.push({ kind: "new" });
    else if (typeof it === "number") {
      if (!Number.isInteger(it)) throw new ValueError(`index: indices must be integers, got ${it}`);
      out.push({ kind: "int", value: it });
    } else if (typeof it === "string") {
      if (it.trim() === "") continue; // x.index("") is x[()]
      for (const part of it.split(",")) {
        if (part.trim() === "" ) {
          throw new ValueError(`index: empty index item in ${JSON.stringify(it)}`);
        }
        out.push(parseText(part, it));
      }
    } else if (typeof it === "object" && !(it instanceof Tensor)) {
      out.push({ kind: "slice", spec: it });
    } else {
      throw new ValueError(`index: unsupported index item ${String(it)} (integers, slices, null and "..." are supported)`);
    }
  }
  return out;
}

/**
 * Basic indexing with Python's semantics: integers (negative count from the end) remove a dim,
 * slices `start:stop:step` keep it (out-of-range bounds are clipped, steps must be positive as in
 * PyTorch), `None`/`null` inserts a dim of size 1, and `...` stands for all the dims not named.
 *
 * @example
 * const x = torch.arange(12).reshape(3, 4);
 * index(x, "1:3, ::2");   // x[1:3, ::2] -> shape [2, 2]
 * index(x, "-1");         // x[-1] -> shape [4]
 * index(x, "..., None");  // x[..., None] -> shape [3, 4, 1]
 * index(x, 0, "1:");      // x[0, 1:] -> shape [3]
 */
export function index(x: Tensor, ...items: IndexItem[]): Tensor {
  const parsed = parseItems(items);
  const ellipses = parsed.filter((p) => p.kind === "ellipsis").length;
  if (ellipses > 1) throw new IndexError("index: an index can only have a single ellipsis ('...')");
  const used = parsed.filter((p) => p.kind === "int" || p.kind === "slice").length;
  if (used > x.ndim) {
    throw new IndexError(`index: too many indices for tensor of dimension ${x.ndim} (got ${used}; shape ${fmtShape(x.shape)})`);
  }
  const full: Parsed = { kind: "slice", spec: {} };
  const fill = (n: number): Parsed[] => Array.from({ length: n }, () => full);
  const at = parsed.findIndex((p) => p.kind === "ellipsis");
  const expanded = at < 0 ? [...parsed, ...fill(x.ndim - used)] : [...parsed.slice(0, at), ...fill(x.ndim - used), ...parsed.slice(at + 1)];

  const specs: SliceSpec[] = [];
  const outShape: number[] = [];
  let d = 0;
  for (const p of expanded) {
    if (p.kind === "new") {
      outShape.push(1);
    } else if (p.kind === "int") {
      const size = x.shape[d];
      if (p.value < -size || p.value >= size) {
        throw new IndexError(`index: index ${p.value} is out of bounds for dimension ${d} with size ${size} (shape ${fmtShape(x.shape)})`);
      }
      const i = p.value < 0 ? p.value + size : p.value;
      specs.push({ start: i, stop: i + 1 });
      d++;
    } else if (p.kind === "slice") {
      if (p.spec.step !== null && p.spec.step !== undefined && p.spec.step <= 0) {
        throw new ValueError(`index: step must be greater than zero (got ${p.spec.step}); reverse with torch.flip instead`);
      }
      const r = resolveSlice("index", x.shape[d], p.spec);
      specs.push(p.spec);
      outShape.push(r.len);
      d++;
    }
  }
  return reshape(sliceDims(x, specs), outShape);
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    /**
     * Python-style indexing: `x.index("1:3, ::2")` is PyTorch's `x[1:3, ::2]`. Items may also be
     * passed separately: integers, `null` (new axis), `"..."`, slice strings or `{start, stop, step}`.
     * @example x.index("..., -1") // x[..., -1]
     */
    index(...items: IndexItem[]): Tensor;
  }
}

Object.defineProperty(Tensor.prototype, "index", {
  value: function (this: Tensor, ...items: IndexItem[]) {
    return index(this, ...items);
  },
  writable: true,
  configurable: true,
});

// Every case of the PyTorch oracle (test/fixtures/ops.json, PyTorch 1.13.1 in float64): forward
// values, first-order gradients (VJPs), auxiliary results and second-order gradients, run through
// duograd in float32 and in float64. One test per case, named by its id.
import { after, test } from "node:test";
import fs from "node:fs";
import { fromBuffer, grad, tensor, Tensor, type DType } from "../src/index.js";
import { ORACLE_OPS, missingFunctions, type Args } from "./oracle_cases.js";

interface OTensor {
  shape: number[];
  dtype: "float64" | "int64" | "bool";
  data: (number | boolean)[];
  requires_grad?: boolean;
}
interface OCase {
  id: string;
  op: string;
  family: string;
  order: 1 | 2;
  args: Args;
  inputs: OTensor[];
  output: OTensor;
  grad_output: OTensor;
  grads: (OTensor | null)[];
  first_order_grads?: (OTensor | null)[];
  aux?: Record<string, OTensor>;
}

const oracle = JSON.parse(fs.readFileSync(new URL("../../test/fixtures/ops.json", import.meta.url), "utf8")) as { cases: OCase[] };

/** The README's tolerances: about ten times PyTorch's own float32 error; near-exact in float64. */
const TOL: Record<"float32" | "float64", { atol: number; rtol: number }> = {
  float32: { atol: 1e-5, rtol: 1e-4 },
  float64: { atol: 1e-10, rtol: 1e-10 },
};

/** A duograd tensor from an oracle tensor: floats in `dtype`, int64 as int32, bool as bool. */
function build(t: OTensor, dtype: DType, requiresGrad = false): Tensor {
  const dt: DType = t.dtype === "int64" ? "int32" : t.dtype === "bool" ? "bool" : dtype;
  const flat = t.data.map((v) => (typeof v === "boolean" ? (v ? 1 : 0) : v));
  const x = fromBuffer(tensor(Float64Array.from(flat), { dtype: dt }).storage, t.shape, dt);
  if (requiresGrad) x.requiresGrad_(true);
  return x;
}

/** Throws naming the first element out of tolerance. */
function compare(what: string, got: Tensor | null | undefined, ref: OTensor, dtype: "float32" | "float64", exact = false): void {
  if (!got) throw new Error(`${what}: missing (expected a tensor of shape [${ref.shape.join(", ")}])`);
  if (got.shape.join(",") !== ref.shape.join(",")) {
    throw new Error(`${what}: shape [${got.shape.join(", ")}], expected [${ref.shape.join(", ")}]`);
  }
  const { atol, rtol } = TOL[dtype];
  for (let i = 0; i < ref.data.length; i++) {
    const r = Number(ref.data[i]);
    const a = got.storage[i];
    const ok = exact ? a === r : Math.abs(a - r) <= atol + rtol * Math.abs(r);
    if (!ok) {
      throw new Error(`${what}: element ${i} is ${a}, expected ${r} (|diff| ${Math.abs(a - r)}, ${dtype} tolerance ${atol} + ${rtol}·|ref|)`);
    }
  }
}

function expectedDtype(got: Tensor, dtype: "float32" | "float64", what: string): void {
  if (got.dtype !== dtype) throw new Error(`${what}: dtype ${got.dtype}, expected ${dtype}`);
}

/** Order 1: forward, then the VJP with the oracle's grad_output — `backward` in float32, `grad()` in float64. */
function runFirstOrder(c: OCase, dtype: "float32" | "float64"): void {
  const op = ORACLE_OPS[c.op];
  const xs = c.inputs.map((t) => build(t, dtype, t.requires_grad ?? false));
  const r = op.run(xs, c.args);
  compare(`${dtype} output`, r.out, c.output, dtype);
  expectedDtype(r.out, dtype, `${dtype} output`);
  for (const [name, ref] of Object.entries(c.aux ?? {})) {
    compare(`${dtype} aux.${name}`, r.aux?.[name], ref, dtype, ref.dtype === "int64");
  }
  const go = build(c.grad_output, dtype);
  const diff = xs.map((_, i) => i).filter((i) => c.grads[i] !== null);
  if (dtype === "float32") {
    r.out.backward(go);
    c.grads.forEach((g, i) => {
      if (g === null) {
        if (xs[i].grad !== null) throw new Error(`${dtype} grad of input ${i}: expected none (requires_grad false)`);
      } else {
        compare(`${dtype} grad of input ${i} (.grad after backward)`, xs[i].grad, g, dtype);
        expectedDtype(xs[i].grad!, dtype, `${dtype} grad of input ${i}`);
      }
    });
  } else {
    const gs = grad(r.out, diff.map((i) => xs[i]), { gradOutputs: [go] });
    diff.forEach((i, n) => {
      compare(`${dtype} grad of input ${i} (grad())`, gs[n], c.grads[i]!, dtype);
      expectedDtype(gs[n]!, dtype, `${dtype} grad of input ${i}`);
      if (xs[i].grad !== null) throw new Error(`${dtype}: grad() must leave .grad of input ${i} alone`);
    });
  }
}

/** Order 2: first-order grads with createGraph, S = Σ sum(g_i), then grad(S) (zeros where unused). */
function runSecondOrder(c: OCase, dtype: "float32" | "float64"): void {
  const op = ORACLE_OPS[c.op];
  const xs = c.inputs.map((t) => build(t, dtype, t.requires_grad ?? false));
  const r = op.run(xs, c.args);
  compare(`${dtype} output`, r.out, c.output, dtype);
  const diff = xs.map((_, i) => i).filter((i) => c.grads[i] !== null);
  const dxs = diff.map((i) => xs[i]);
  const g1 = grad(r.out, dxs, { gradOutputs: [build(c.grad_output, dtype)], createGraph: true });
  diff.forEach((i, n) => compare(`${dtype} first-order grad of input ${i}`, g1[n], c.first_order_grads![i]!, dtype));
  let s: Tensor | null = null;
  for (const g of g1) {
    const gs = g!.sum();
    s = s === null ? gs : s.add(gs);
  }
  const g2 = s!.requiresGrad ? grad(s!, dxs, { materializeGrads: true }) : dxs.map((x) => x.mul(0).detach());
  diff.forEach((i, n) => compare(`${dtype} second-order grad of input ${i}`, g2[n], c.grads[i]!, dtype));
}

const summary = new Map<string, { pass: number; fail: number; todo: number }>();
const tally = (family: string, k: "pass" | "fail" | "todo"): void => {
  const s = summary.get(family) ?? { pass: 0, fail: 0, todo: 0 };
  s[k]++;
  summary.set(family, s);
};

for (const c of oracle.cases) {
  const op = ORACLE_OPS[c.op];
  const family = c.family;
  if (op === undefined) {
    // An op the oracle checks that this file does not map yet must show up, not vanish.
    test(c.id, () => {
      tally(family, "fail");
      throw new Error(`oracle op "${c.op}" has no mapping in test/oracle_cases.ts`);
    });
    continue;
  }
  const missing = missingFunctions(op);
  if (missing.length > 0) {
    tally(family, "todo");
    test(`${c.id} (${missing.join(", ")})`, { todo: "not implemented yet" });
    continue;
  }
  test(c.id, () => {
    try {
      for (const dtype of ["float32", "float64"] as const) {
        if (c.order === 2) runSecondOrder(c, dtype);
        else runFirstOrder(c, dtype);
      }
      tally(family, "pass");
    } catch (e) {
      tally(family, "fail");
      throw e;
    }
  });
}

after(() => {
  const rows = [...summary.entries()].sort(([a], [b]) => a.localeCompare(b));
  const tot = { pass: 0, fail: 0, todo: 0 };
  const lines = rows.map(([f, s]) => {
    tot.pass += s.pass;
    tot.fail += s.fail;
    tot.todo += s.todo;
    const n = s.pass + s.fail + s.todo;
    return `  ${f.padEnd(34)} ${s.pass}/${n} pass${s.fail ? `, ${s.fail} FAIL` : ""}${s.todo ? `, ${s.todo} todo` : ""}`;
  });
  console.log(`PyTorch oracle: ${tot.pass} passed, ${tot.fail} failed, ${tot.todo} todo (not implemented yet), by family:\n${lines.join("\n")}`);
});

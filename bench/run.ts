// `npm run bench`: runs the workloads W1–W7 in duograd (wasm and js backends), TensorFlow.js
// (cpu and wasm backends) and PyTorch (when Python can import torch), each library in a process
// of its own, one after the other, and writes bench/RESULTS.md.
//
// Options: --only W1,W4   run some workloads;  --libs duograd-wasm,pytorch   run some libraries;
//          --out FILE     write elsewhere.  DUOGRAD_BENCH_PYTHON names the Python to try first.
import { spawn, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import type { Row } from "./measure.js";

const here = fileURLToPath(new URL(".", import.meta.url)); // dist/bench/
const root = fileURLToPath(new URL("../../", import.meta.url));

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const only = arg("--only") ?? "";
const libsWanted = arg("--libs")?.split(",");
const outFile = arg("--out") ?? `${root}bench/RESULTS.md`;

interface Skip {
  id: string;
  lib: string;
  why: string;
}
interface Child {
  lib: string;
  label: string;
  cmd: string;
  args: string[];
}

/** The first Python that can import torch, or null (the PyTorch column is then skipped). */
function findTorchPython(): { python: string; version: string } | null {
  const candidates = [process.env.DUOGRAD_BENCH_PYTHON, "python3", "/usr/bin/python3"].filter((c): c is string => !!c);
  for (const python of candidates) {
    const r = spawnSync(python, ["-c", "import torch; print(torch.__version__)"], { encoding: "utf8" });
    if (r.status === 0) return { python, version: r.stdout.trim() };
  }
  return null;
}

function pkgVersion(name: string | null): string {
  try {
    const file = name === null ? `${root}package.json` : `${root}node_modules/${name}/package.json`;
    return JSON.parse(readFileSync(file, "utf8")).version;
  } catch {
    return "?";
  }
}

/**
 * Node 20 runs relaxed SIMD (the fused multiply-add matmul kernel) only with a flag; Node 22 and
 * browsers by default. Where the flag is needed and accepted, the wasm backend also runs with it,
 * on the workloads whose products are large enough to use that kernel.
 */
function relaxedChild(): Child | null {
  const probe = (flags: string[]) =>
    spawnSync(process.execPath, [...flags, "--input-type=module", "-e", `import { wasmRelaxedSimd } from ${JSON.stringify(`${root}dist/src/index.js`)}; process.exit(wasmRelaxedSimd() ? 0 : 1);`]).status === 0;
  if (probe([]) || !probe(["--experimental-wasm-relaxed-simd"])) return null;
  const wanted = ["W4", "W5"].filter((w) => only === "" || only.split(",").includes(w));
  if (wanted.length === 0) return null;
  return { lib: "duograd-wasm-relaxed", label: "duograd (wasm, relaxed SIMD flag)", cmd: process.execPath, args: ["--experimental-wasm-relaxed-simd", `${here}children/duograd.js`, "wasm", wanted.join(","), "duograd-wasm-relaxed"] };
}

const torchPy = findTorchPython();
const relaxed = relaxedChild();
const children: Child[] = [
  { lib: "duograd-wasm", label: "duograd (wasm)", cmd: process.execPath, args: [`${here}children/duograd.js`, "wasm", only] },
  ...(relaxed ? [relaxed] : []),
  { lib: "duograd-js", label: "duograd (js)", cmd: process.execPath, args: [`${here}children/duograd.js`, "js", only] },
  { lib: "tfjs-wasm", label: "TF.js wasm", cmd: process.execPath, args: [`${here}children/tfjs.js`, "wasm", only] },
  { lib: "tfjs-cpu", label: "TF.js cpu", cmd: process.execPath, args: [`${here}children/tfjs.js`, "cpu", only] },
  { lib: "pytorch", label: "PyTorch", cmd: torchPy?.python ?? "python3", args: [`${root}bench/children/torch_bench.py`, only] },
];
const PEERS = ["tfjs-wasm", "tfjs-cpu", "pytorch"];

const rows: Row[] = [];
const skips: Skip[] = [];
const notes: string[] = [];
const meta: { lib: string; blas?: string }[] = [];

function runChild(c: Child): Promise<void> {
  return new Promise((resolve) => {
    const started = Date.now();
    process.stderr.write(`bench: ${c.label} ...`);
    // Each child picks its backend itself; an inherited DUOGRAD_BACKEND must not override it.
    const env = { ...process.env };
    delete env.DUOGRAD_BACKEND;
    const p = spawn(c.cmd, c.args, { stdio: ["ignore", "pipe", "pipe"], env });
    let buf = "";
    let err = "";
    p.stdout.on("data", (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith("ROW ")) {
          rows.push(JSON.parse(line.slice(4)));
          process.stderr.write(".");
        } else if (line.startsWith("SKIP ")) skips.push(JSON.parse(line.slice(5)));
        else if (line.startsWith("META ")) meta.push(JSON.parse(line.slice(5)));
      }
    });
    p.stderr.on("data", (d: Buffer) => (err += d.toString()));
    // A child that hangs must not stall the whole run.
    const timer = setTimeout(() => p.kill("SIGKILL"), 300_000);
    p.on("close", (code) => {
      clearTimeout(timer);
      const secs = ((Date.now() - started) / 1000).toFixed(0);
      process.stderr.write(` ${secs} s${code === 0 ? "" : ` (exit ${code})`}\n`);
      if (code !== 0) notes.push(`${c.label} exited with ${code}: ${err.trim().split("\n").slice(-3).join(" / ").slice(0, 300)}`);
      resolve();
    });
  });
}

const fmt = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toPrecision(2));

function cell(r: Row | undefined, s: Skip | undefined): string {
  if (r) return `${fmt(r.median)} (${fmt(r.lo)}–${fmt(r.hi)})`;
  if (s) return `– ¹`;
  return "–";
}

/** Targets of the issue, checked on duograd's default backend (and W4/W5 with relaxed SIMD where run). */
function targets(get: (id: string) => Row | undefined, getRelaxed: (id: string) => Row | undefined): string[] {
  const out: string[] = [];
  const check = (label: string, ids: string[], ok: (v: number) => boolean, goal: string, from = get) => {
    const vals = ids.map(from);
    if (vals.some((v) => v === undefined)) {
      out.push(`| ${label} | ${goal} | not measured | – |`);
      return;
    }
    const ms = vals.map((v) => v!.median);
    const met = ms.every(ok);
    const shown = ms.length === 1 ? `${fmt(ms[0])} ${vals[0]!.unit}` : `${fmt(Math.min(...ms))}–${fmt(Math.max(...ms))} ${vals[0]!.unit}`;
    out.push(`| ${label} | ${goal} | ${shown} | ${met ? "met" : "**missed**"} |`);
  };
  check("W1 per step", ["W1 article raw loop, per step"], (v) => v <= 4, "≤ 4 µs");
  check("W2 per step", ["W2 Linear(1,1) + MSELoss + SGD, per step"], (v) => v <= 4, "≤ 4 µs");
  check("W3 no grad", ["W3 1-element add, no grad"], (v) => v <= 60, "≤ 60 ns");
  check("W3 grad", ["W3 1-element add, recorded for grad"], (v) => v <= 120, "≤ 120 ns");
  const w4 = (t: number) => [256, 512, 1024].flatMap((n) => ["A·B", "Aᵀ·B", "A·Bᵀ"].map((v) => `W4 matmul ${n}, ${v}, ${t} thread${t > 1 ? "s" : ""}`));
  check("W4 256–1024, 1 thread, every variant", w4(1), (v) => v >= 50, "≥ 50 GFLOP/s");
  check("W4 256–1024, 2 threads, every variant", w4(2), (v) => v >= 95, "≥ 95 GFLOP/s");
  check("W5 SGD step", ["W5 MLP 784-256-10 b128, SGD step"], (v) => v <= 1.2, "≤ 1.2 ms");
  if (relaxed !== null) {
    const tag = " (relaxed SIMD flag)";
    check("W4 256–1024, 1 thread, every variant" + tag, w4(1), (v) => v >= 50, "≥ 50 GFLOP/s", getRelaxed);
    check("W4 256–1024, 2 threads, every variant" + tag, w4(2), (v) => v >= 95, "≥ 95 GFLOP/s", getRelaxed);
    check("W5 SGD step" + tag, ["W5 MLP 784-256-10 b128, SGD step"], (v) => v <= 1.2, "≤ 1.2 ms", getRelaxed);
  }
  check("W6", ["W6 a*b + c, 1M float32"], (v) => v <= 600, "≤ 600 µs");
  return out;
}

function report(load0: number[], load1: number[], seconds: number): string {
  const libs = children.filter((c) => rows.some((r) => r.lib === c.lib) || skips.some((s) => s.lib === c.lib));
  const ids: string[] = [];
  for (const r of [...rows, ...skips]) if (!ids.includes(r.id) && !/^W\d$/.test(r.id)) ids.push(r.id);
  const order = (id: string) => {
    const w = Number(id.slice(1, 2));
    const m = /W4 matmul (\d+), (\S+), (\d)/.exec(id);
    return m ? w * 1e6 + Number(m[3]) * 1e5 + Number(m[1]) * 10 + ["A·B", "Aᵀ·B", "A·Bᵀ"].indexOf(m[2]) : w * 1e6 + ids.indexOf(id);
  };
  ids.sort((a, b) => order(a) - order(b));
  const get = (id: string, lib: string) => rows.find((r) => r.id === id && r.lib === lib);
  const getSkip = (id: string, lib: string) => skips.find((r) => r.id === id && r.lib === lib);
  const peers = PEERS.filter((p) => libs.some((c) => c.lib === p));
  const cpu = os.cpus();
  const lines: string[] = [];
  lines.push("# Benchmark results", "");
  lines.push("Written by `npm run bench` (bench/run.ts); each library ran in a process of its own, one after the other, in one run.", "");
  lines.push("## Machine and versions", "");
  lines.push(`- CPU: ${cpu[0]?.model ?? "?"}, ${cpu.length} logical cores; memory ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; ${os.type()} ${os.release()}`);
  lines.push(`- load average before / after the run: ${load0.map((v) => v.toFixed(2)).join(", ")} / ${load1.map((v) => v.toFixed(2)).join(", ")} (other processes on the machine skew the figures)`);
  lines.push(`- Node ${process.versions.node} (V8 ${process.versions.v8})`);
  lines.push(`- duograd ${pkgVersion(null)} — wasm backend (default where WebAssembly SIMD exists) and js backend${relaxed ? "; the wasm backend also with `--experimental-wasm-relaxed-simd` (Node 20 needs the flag for relaxed SIMD, which Node 22 and browsers have by default; only the matmul kernel differs, so only W4 and W5 run)" : ""}`);
  lines.push(`- TensorFlow.js ${pkgVersion("@tensorflow/tfjs")}, tfjs-backend-wasm ${pkgVersion("@tensorflow/tfjs-backend-wasm")}`);
  const blas = meta.find((m) => m.lib === "pytorch")?.blas;
  lines.push(`- PyTorch: ${torchPy ? `${torchPy.version} (${torchPy.python}), 1 thread unless a row says 2; BLAS: ${blas ?? "?"} (Debian's python3-torch uses whichever libblas.so.3 is selected: the reference BLAS runs matmul at ~6 GFLOP/s, OpenBLAS (libopenblas0-pthread) at ~100)` : "not available (python3 cannot import torch): column skipped"}`);
  lines.push(`- whole run: ${seconds.toFixed(0)} s`, "");
  lines.push("## Results", "");
  lines.push("Each cell: median (fastest–slowest sample) over the samples of a row; every sample times a batch of calls.");
  lines.push("Ratio columns: duograd (wasm) ÷ peer, in the row's unit: below 1 is faster for time units (µs, ns, ms), above 1 is faster for GFLOP/s.", "");
  const head = ["workload", "unit", ...libs.map((c) => c.label), ...peers.map((p) => `duograd ÷ ${children.find((c) => c.lib === p)!.label}`)];
  lines.push(`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`);
  for (const id of ids) {
    const unit = rows.find((r) => r.id === id)?.unit ?? "";
    const cells = libs.map((c) => cell(get(id, c.lib), getSkip(id, c.lib)));
    const mine = get(id, "duograd-wasm");
    const ratios = peers.map((p) => {
      const peer = get(id, p);
      return mine && peer ? (mine.median / peer.median).toFixed(2) : "–";
    });
    lines.push(`| ${id} | ${unit} | ${[...cells, ...ratios].join(" | ")} |`);
  }
  lines.push("", "¹ skipped:", "");
  const whys = new Map<string, string[]>();
  for (const s of skips) {
    const key = `${children.find((c) => c.lib === s.lib)?.label ?? s.lib}: ${s.why}`;
    whys.set(key, [...(whys.get(key) ?? []), s.id]);
  }
  for (const [why, idsOf] of whys) lines.push(`- ${why} (${idsOf.length > 3 ? `${idsOf.length} rows` : idsOf.join("; ")})`);
  const notesOf = rows.filter((r) => r.note).map((r) => `- ${children.find((c) => c.lib === r.lib)?.label}, ${r.id}: ${r.note}`);
  if (notesOf.length || notes.length) lines.push("", "Notes:", "", ...notesOf, ...notes.map((n) => `- ${n}`));
  lines.push("", "## Targets (issue 6), on duograd's default (wasm) backend", "");
  lines.push("| target | goal | measured (median) | |", "|---|---|---|---|");
  lines.push(...targets((id) => get(id, "duograd-wasm"), (id) => get(id, "duograd-wasm-relaxed")));
  lines.push("");
  return lines.join("\n");
}

const t0 = Date.now();
const load0 = os.loadavg();
for (const c of children) {
  if (libsWanted && !libsWanted.includes(c.lib)) continue;
  if (c.lib === "pytorch" && torchPy === null) {
    process.stderr.write("bench: PyTorch skipped: no python3 here can `import torch` (Debian: apt-get install python3-torch)\n");
    continue;
  }
  await runChild(c);
}
const text = report(load0, os.loadavg(), (Date.now() - t0) / 1000);
writeFileSync(outFile, text);
process.stderr.write(`bench: wrote ${outFile}\n`);

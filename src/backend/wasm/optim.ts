// Fused optimizer updates on the wasm kernels (assembly/optim.ts), streamed through the wasm
// memory a chunk at a time like the elementwise kernels.
import type { TypedArray } from "../../tensor/dtype.js";
import { adamUpdate as jsAdamUpdate, kerasAdamUpdate as jsKerasAdamUpdate } from "../js/optim.js";
import { plainRuntime, type Kernels } from "./runtime.js";

/** Below this many elements the JS loop is as quick as the copies (a bias vector). */
const MIN_ELEMENTS = 256;
/** Elements per chunk: four chunks (p, g, m, v: 256 KiB) stay in L2 between copies and kernel. */
const CHUNK = 16384;

/** See Backend.adamUpdate: float32 in wasm SIMD (the same bits as the JS loop), the rest in JS. */
export function adamUpdate(p: TypedArray, g: TypedArray, m: TypedArray, v: TypedArray, beta1: number, beta2: number, step: number, bc2: number, eps: number): void {
  // (The kernels take f32 arguments: the JS-to-wasm call rounds each scalar to float32, as the
  // separate ops round the JS numbers they are given.)
  const ran = streamUpdate(p, g, m, v, (k, pp, pg, pm, pv, len) => k.adamF32(pp, pg, pm, pv, len, beta1, 1 - beta1, beta2, 1 - beta2, bc2, eps, -step));
  if (!ran) jsAdamUpdate(p, g, m, v, beta1, beta2, step, bc2, eps);
}

/** See Backend.kerasAdamUpdate; float32 in wasm SIMD as adamUpdate. */
export function kerasAdamUpdate(p: TypedArray, g: TypedArray, m: TypedArray, v: TypedArray, beta1: number, beta2: number, alpha: number, eps: number): void {
  const ran = streamUpdate(p, g, m, v, (k, pp, pg, pm, pv, len) => k.kerasAdamF32(pp, pg, pm, pv, len, 1 - beta1, 1 - beta2, alpha, eps));
  if (!ran) jsKerasAdamUpdate(p, g, m, v, beta1, beta2, alpha, eps);
}

/**
 * Runs an in-place update of float32 p, m, v from g through the wasm memory a chunk at a time:
 * `run` calls the kernel on one chunk at the given byte offsets. False (nothing done) for other
 * dtypes, small arrays, or when the memory cannot hold a chunk.
 */
function streamUpdate(p: TypedArray, g: TypedArray, m: TypedArray, v: TypedArray, run: (k: Kernels, pp: number, pg: number, pm: number, pv: number, len: number) => void): boolean {
  const n = p.length;
  const rt = n < MIN_ELEMENTS ? null : plainRuntime();
  if (rt === null || !(p instanceof Float32Array) || !(g instanceof Float32Array) || !(m instanceof Float32Array) || !(v instanceof Float32Array)) return false;
  rt.reset();
  const len = Math.min(n, CHUNK);
  const pp = rt.alloc(len * 4);
  const pg = rt.alloc(len * 4);
  const pm = rt.alloc(len * 4);
  const pv = rt.alloc(len * 4);
  if (pp < 0 || pg < 0 || pm < 0 || pv < 0) return false;
  for (let s = 0; s < n; s += CHUNK) {
    const e = Math.min(n, s + CHUNK);
    const whole = e - s === n;
    rt.putAt(pp, whole ? p : p.subarray(s, e));
    rt.putAt(pg, whole ? g : g.subarray(s, e));
    rt.putAt(pm, whole ? m : m.subarray(s, e));
    rt.putAt(pv, whole ? v : v.subarray(s, e));
    run(rt.kernels, pp, pg, pm, pv, e - s);
    rt.getTo(pp, p, s, e - s);
    rt.getTo(pm, m, s, e - s);
    rt.getTo(pv, v, s, e - s);
  }
  return true;
}

// The "wasm" backend: WebAssembly SIMD kernels (AssemblyScript, assembly/) for float32 matrix
// products, elementwise arithmetic and sums; every other kernel is the JS backend's.
import type { Backend } from "../backend.js";
import { jsBackend } from "../js/index.js";
import { registerBackend, setBackend } from "../registry.js";
import { addScaled, binary, unary } from "./elementwise.js";
import { matmul } from "./matmul.js";
import { adagradUpdate, adamUpdate, kerasAdamUpdate, rmspropUpdate, sgdMomentumUpdate } from "./optim.js";
import { mseLoss, mseLossBackward } from "./losses.js";
import { reduce } from "./reduce.js";
import { wasmSimdSupported } from "./runtime.js";

export { setNumThreads, getNumThreads } from "./threads.js";
export { wasmRelaxedSimd, wasmSimdSupported } from "./runtime.js";

/** The WebAssembly SIMD backend. Kernels fall back to the JS ones where wasm does not pay. */
export const wasmBackend: Backend = {
  ...jsBackend,
  name: "wasm",
  unary,
  binary,
  addScaled,
  adamUpdate,
  kerasAdamUpdate,
  rmspropUpdate,
  adagradUpdate,
  sgdMomentumUpdate,
  mseLoss,
  mseLossBackward,
  reduce,
  matmul,
};

/**
 * Registers the wasm backend where WebAssembly SIMD exists and makes it current, unless the
 * environment variable DUOGRAD_BACKEND (read only where `process` exists) names another one.
 */
export function installWasmBackend(): void {
  if (wasmSimdSupported()) registerBackend(wasmBackend);
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.DUOGRAD_BACKEND;
  if (env) setBackend(env);
  else if (wasmSimdSupported()) setBackend("wasm");
}

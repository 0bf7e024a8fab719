// Node-only file helpers for the io layer. Node's `fs` is looked up when a helper is called
// (process.getBuiltinModule), not imported, so modules that offer `save(…, path)` still load in a
// browser, where only the bytes-based functions work.
import { ValueError } from "../tensor/errors.js";

interface FsLike {
  readFileSync(path: string): Uint8Array;
  writeFileSync(path: string, data: Uint8Array): void;
}

function nodeFs(what: string): FsLike {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const fs = proc?.getBuiltinModule?.("node:fs") as FsLike | undefined;
  if (!fs) {
    throw new ValueError(`${what}: reading and writing files by path needs Node.js (20.16 or later); in a browser, use the functions that take and return bytes (Uint8Array)`);
  }
  return fs;
}

/**
 * The bytes of the file at `path` (Node only).
 * @example const bytes = readFileBytes("model.safetensors");
 */
export function readFileBytes(path: string, what = "readFileBytes"): Uint8Array {
  if (typeof path !== "string" || path === "") throw new ValueError(`${what}: expected a file path, got ${JSON.stringify(path)}`);
  const b = nodeFs(what).readFileSync(path);
  // Node returns a Buffer, often a view into a shared pool: hand back a plain Uint8Array of its own.
  return new Uint8Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/**
 * Writes `bytes` to the file at `path`, replacing it (Node only).
 * @example writeFileBytes("model.onnx", bytes);
 */
export function writeFileBytes(path: string, bytes: Uint8Array, what = "writeFileBytes"): void {
  if (typeof path !== "string" || path === "") throw new ValueError(`${what}: expected a file path, got ${JSON.stringify(path)}`);
  nodeFs(what).writeFileSync(path, bytes);
}

/**
 * duograd.io: files on bytes (Uint8Array), so they work in a browser; the `…File` helpers and
 * the `path` arguments need Node.
 * @example
 * const bytes = io.safetensors.serialize({ w: torch.ones(2, 2) });
 * const { tensors } = io.safetensors.deserialize(bytes);
 */
import type { Tensor } from "../tensor/tensor.js";
import { deserialize, serialize, type SafetensorsContents, type SerializeOptions } from "./safetensors.js";
import { readFileBytes, writeFileBytes } from "./node_fs.js";

export * as safetensors from "./safetensors.js";
export { SafetensorsError } from "./safetensors.js";
export { stateDictToBytes, stateDictFromBytes, toPyTorchName, fromPyTorchName, type SaveStateOptions, type LoadStateOptions } from "./torch_state.js";
export { weightPaths, kerasWeightsToBytes, loadKerasWeights } from "./keras_weights.js";
export { modelToConfig, modelFromConfig, type KerasObjectConfig } from "./keras_config.js";
export { saveModelBytes, loadModelBytes, loadModel } from "./keras_model.js";
export { readFileBytes, writeFileBytes } from "./node_fs.js";

/**
 * Writes tensors to a safetensors file (Node).
 * @example io.saveSafetensors({ w }, "w.safetensors", { metadata: { note: "demo" } });
 */
export function saveSafetensors(tensors: Record<string, Tensor>, path: string, opts: SerializeOptions = {}): void {
  writeFileBytes(path, serialize(tensors, opts), "saveSafetensors");
}

/**
 * Reads a safetensors file (Node).
 * @example const { tensors, metadata } = io.loadSafetensors("w.safetensors");
 */
export function loadSafetensors(path: string): SafetensorsContents {
  return deserialize(readFileBytes(path, "loadSafetensors"));
}

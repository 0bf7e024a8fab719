// torch.save / torch.load: state dicts in safetensors files under PyTorch's names (the codec is
// io's; this file only gives it PyTorch's calling convention).
import type { StateDict } from "../nn/module.js";
import { stateDictFromBytes, stateDictToBytes, type LoadStateOptions, type SaveStateOptions } from "../io/torch_state.js";
import { readFileBytes, writeFileBytes } from "../io/node_fs.js";

/**
 * Saves a state dict as a safetensors file with PyTorch's names (`bn.running_mean`), which
 * PyTorch reads with `safetensors.torch.load_file(path)`. Writing by path needs Node; with no
 * path (or in a browser) use {@link saveBytes}.
 * @example torch.save(model.stateDict(), "model.safetensors");
 */
export function save(stateDict: StateDict, path: string, opts: SaveStateOptions = {}): void {
  writeFileBytes(path, stateDictToBytes(stateDict, opts), "torch.save");
}

/**
 * Loads a safetensors state dict (a path in Node, or the file's bytes) with duograd's names,
 * for `model.loadStateDict(...)`; files written by PyTorch load as well.
 * @example model.loadStateDict(torch.load("model.safetensors"));
 */
export function load(file: string | Uint8Array, opts: LoadStateOptions = {}): StateDict {
  return stateDictFromBytes(typeof file === "string" ? readFileBytes(file, "torch.load") : file, opts);
}

/** {@link save} to bytes instead of a file (works in a browser). */
export function saveBytes(stateDict: StateDict, opts: SaveStateOptions = {}): Uint8Array {
  return stateDictToBytes(stateDict, opts);
}

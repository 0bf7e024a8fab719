// Whole Keras models in one safetensors file: the weights under their variable paths, the
// architecture as JSON in the header's metadata (`keras_config`). Also installs the dialect's
// `model.save` / `saveWeights` / `loadWeights` (see `savingHooks` in tf/keras/model.ts).
import { ValueError } from "../tensor/errors.js";
import type { Layer } from "../tf/keras/layer.js";
import { Model, savingHooks } from "../tf/keras/model.js";
import { modelFromConfig, modelToConfig, type KerasObjectConfig } from "./keras_config.js";
import { kerasWeightsToBytes, loadKerasWeights } from "./keras_weights.js";
import { readHeader } from "./safetensors.js";
import { readFileBytes, writeFileBytes } from "./node_fs.js";

const CONFIG_KEY = "keras_config";

/**
 * A Sequential or functional model, architecture and weights, as safetensors bytes.
 * @example const bytes = saveModelBytes(model); const again = loadModelBytes(bytes);
 */
export function saveModelBytes(model: Layer): Uint8Array {
  const config = modelToConfig(model);
  return kerasWeightsToBytes(model, { [CONFIG_KEY]: JSON.stringify(config) });
}

/** Rebuilds a model from {@link saveModelBytes}' bytes and loads its weights. */
export function loadModelBytes(bytes: Uint8Array): Model {
  const meta = readHeader(bytes).metadata;
  const text = meta?.[CONFIG_KEY];
  if (text === undefined) {
    throw new ValueError(`loadModel: the file has no '${CONFIG_KEY}' in its metadata: it holds weights only (from saveWeights or torch.save); build the model in code and use loadWeights`);
  }
  let config: KerasObjectConfig;
  try {
    config = JSON.parse(text) as KerasObjectConfig;
  } catch (e) {
    throw new ValueError(`loadModel: the saved '${CONFIG_KEY}' is not valid JSON (${(e as Error).message})`);
  }
  const model = modelFromConfig(config);
  if (!(model instanceof Model)) throw new ValueError(`loadModel: the file holds a ${config.class_name} layer, not a model`);
  loadKerasWeights(model, bytes, "loadModel");
  return model;
}

/**
 * Loads a model saved with `model.save(path)`: a path (Node) or the file's bytes.
 * @example const model = tf.keras.models.loadModel("model.safetensors");
 */
export function loadModel(file: string | Uint8Array): Model {
  return loadModelBytes(typeof file === "string" ? readFileBytes(file, "loadModel") : file);
}

savingHooks.save = (model, path) => writeFileBytes(path, saveModelBytes(model), "model.save");
savingHooks.saveWeights = (model, path) => writeFileBytes(path, kerasWeightsToBytes(model), "model.saveWeights");
savingHooks.loadWeights = (model, file) => loadKerasWeights(model, typeof file === "string" ? readFileBytes(file, "model.loadWeights") : file);

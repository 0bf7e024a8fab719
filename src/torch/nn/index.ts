// torch.nn: Module and Parameter (the shared core's), layers, containers, losses, and the
// `functional`, `init` and `utils` namespaces.
export { Module, type StateDict, type IncompatibleKeys, type RemovableHandle } from "../../nn/module.js";
export { Parameter } from "../../nn/parameter.js";
export { Sequential, ModuleList, ModuleDict, ParameterList } from "./containers.js";
export { Linear, Bilinear, Identity, Flatten, type BiasOptions } from "./linear.js";
export { ReLU, LeakyReLU, ELU, GELU, SiLU, Sigmoid, Tanh, Softplus, Hardtanh, Softmax, LogSoftmax } from "./activation.js";
export {
  Dropout, Conv1d, Conv2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, BatchNorm1d, BatchNorm2d, LayerNorm, Embedding,
  type ConvLayerOptions, type MaxPoolLayerOptions, type AvgPoolLayerOptions, type BatchNormLayerOptions, type LayerNormOptions, type EmbeddingLayerOptions,
} from "./layers.js";
export { MSELoss, L1Loss, HuberLoss, SmoothL1Loss, CrossEntropyLoss, NLLLoss, BCELoss, BCEWithLogitsLoss } from "./loss.js";
export * as functional from "./functional.js";
export * as init from "./init.js";
export * as utils from "./utils.js";

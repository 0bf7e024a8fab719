/**
 * duograd: tensors, automatic differentiation and neural networks, speaking PyTorch (`torch`) and
 * TensorFlow 2 / Keras (`tf`) over one core.
 */
import { registerBackend } from "./backend/registry.js";
import { jsBackend } from "./backend/js/index.js";
import { installWasmBackend } from "./backend/wasm/index.js";
import "./ops/methods.js";

registerBackend(jsBackend);
installWasmBackend(); // current where WebAssembly SIMD exists; DUOGRAD_BACKEND=js|wasm overrides

export { Tensor } from "./tensor/tensor.js";
export type { DType, TypedArray } from "./tensor/dtype.js";
export { DuogradError, ShapeError, DTypeError, IndexError, AutogradError, ValueError } from "./tensor/errors.js";
export { setBackend, getBackendName, listBackends, registerBackend } from "./backend/registry.js";
export type { Backend } from "./backend/backend.js";
export { setNumThreads, getNumThreads, wasmRelaxedSimd } from "./backend/wasm/index.js";
export * from "./ops/api.js";
export { noGrad, enableGrad, isGradEnabled, setGradEnabled } from "./autograd/grad_mode.js";
export { backward, grad, type GradOptions } from "./autograd/engine.js";
export { gradcheck, gradgradcheck, type GradcheckOptions, type GradgradcheckOptions } from "./autograd/gradcheck.js";
export { opNames } from "./ops/table.js";
export { manualSeed, rand, randn, randint, randperm, uniform_, normal_, bernoulliMask, defaultGenerator, tfGenerator, tfSetSeed, tfUniform, tfNormal } from "./tensor/random_ops.js";
export { RandomState, TorchGenerator } from "./tensor/random/index.js";
export * as torch from "./torch/index.js";
export * as tf from "./tf/index.js";
export * as io from "./io/index.js";
export * as onnx from "./io/onnx/index.js";

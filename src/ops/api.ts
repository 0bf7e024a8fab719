// The functional API of the core: every op as a function. Dialects rename these; they add no math.
export * from "./unary.js";
export * from "./binary.js";
export * from "./reduce.js";
export * from "./shape.js";
export * from "./indexing.js";
export * from "./linalg.js";
export * from "./softmax.js";
export * from "./conv.js";
export * from "./pool.js";
export * from "./normalization.js";
export * from "./embedding.js";
export * from "./dropout.js";
export * from "./losses/index.js";
export { warn, setWarningHandler, type WarningHandler } from "./warn.js";
export { zeros, ones, full, empty, zerosLike, onesLike, fullLike, emptyLike, arange, linspace, eye, tensor, fromBuffer } from "../tensor/creation.js";
export { scalar, toTensor, type TensorLike } from "./util.js";

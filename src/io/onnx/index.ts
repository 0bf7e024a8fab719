// duograd.onnx: exporting models to ONNX (bytes; a file in Node).
export { exportModel, type ExportOptions } from "./export.js";
export { OnnxExportError } from "./context.js";

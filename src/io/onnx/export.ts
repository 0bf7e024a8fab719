// ONNX export by tracing: the model runs once on the sample input, in evaluation mode, while
// (1) every call of a module/layer the exporter knows (Linear, Conv2d, Dense, …) is caught whole,
// and (2) every core op applied outside those calls (the model's own code: `x.matmul(this.w)`,
// `F.relu(h)`, `h.reshape(…)`) is recorded from the autograd graph. Both become ONNX nodes in the
// order they ran. The batch dimension (dim 0 of the inputs) stays symbolic.
import { Tensor } from "../../tensor/tensor.js";
import { fmtShape } from "../../tensor/shape.js";
import { enableGrad } from "../../autograd/grad_mode.js";
import { popRecorder, pushRecorder, type Node } from "../../autograd/node.js";
import { Module } from "../../nn/module.js";
import { Layer, type CallArgs } from "../../tf/keras/layer.js";
import { weightPaths } from "../keras_weights.js";
import { writeFileBytes } from "../node_fs.js";
import { ExportContext, fail } from "./context.js";
import { elemType } from "./graph.js";
import { convertOp, type OpEvent } from "./ops.js";
import { TORCH_CONVERTERS, convertTorchModule } from "./torch_layers.js";
import { KERAS_CONVERTERS, convertKerasLayer } from "./keras_layers.js";

/** Options of {@link exportModel}. */
export interface ExportOptions {
  /** ONNX opset, 13 to 17 (default 17; LayerNormalization needs 17). */
  opset?: number;
  /** Names of the graph inputs (default "input", or "input_0", "input_1", …). */
  inputNames?: string[];
  /** Names of the graph outputs (default "output", or "output_0", …). */
  outputNames?: string[];
  /** Keep dim 0 of inputs and outputs symbolic ("batch"), so any batch size runs (default true). */
  dynamicBatch?: boolean;
  /** The graph's name (default the model's class name). */
  graphName?: string;
}

type Event = { kind: "module"; target: Module | Layer; input: Tensor; output: Tensor } | ({ kind: "op" } & OpEvent);

/** Counts nested calls so only the outermost known module's call (and ops outside all) are kept. */
class Tracer {
  depth = 0;
  readonly events: Event[] = [];
  readonly recorder = {
    record: (n: Node): void => {
      if (this.depth === 0) this.events.push({ kind: "op", name: n.name, inputs: n.inputs, attrs: n.attrs, output: n.out });
    },
  };

  leaf(target: Module | Layer, args: unknown[], output: unknown): void {
    if (this.depth !== 0) return;
    const input = args[0];
    const where = target instanceof Layer ? `layer '${target.name}' (${target.constructor.name})` : `module ${target.constructor.name}`;
    if (!(input instanceof Tensor) || args.length !== 1 || !(output instanceof Tensor)) fail(`${where}: only calls with one input tensor and one output tensor export`);
    this.events.push({ kind: "module", target, input: input as Tensor, output: output as Tensor });
  }
}

/**
 * The events the outputs depend on, in order: work whose result is dropped (a loss added in
 * `call`, a value only printed) is left out rather than exported or refused.
 */
function needed(events: readonly Event[], outputs: readonly Tensor[]): Event[] {
  const want = new Set<Tensor>(outputs);
  const keep: Event[] = [];
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (!want.has(e.output)) continue;
    keep.push(e);
    if (e.kind === "op") e.inputs.forEach((t) => want.add(t));
    else want.add(e.input);
  }
  return keep.reverse();
}

function traceTorch(model: Module, inputs: Tensor[], tracer: Tracer): unknown {
  const modes = model.modules().map((m) => [m, m.training] as const);
  const handles: { remove(): void }[] = [];
  try {
    model.eval();
    for (const m of model.modules()) {
      if (!TORCH_CONVERTERS.has(m.constructor)) continue;
      handles.push(m.registerForwardPreHook(() => void tracer.depth++));
      handles.push(
        m.registerForwardHook((mod, args, out) => {
          tracer.depth--;
          tracer.leaf(mod, args, out);
        }),
      );
    }
    return enableGrad(() => model(...inputs));
  } finally {
    for (const h of handles) h.remove();
    for (const [m, t] of modes) m.training = t;
  }
}

function traceKeras(model: Layer, inputs: Tensor[], tracer: Tracer): unknown {
  const patched: Layer[] = [];
  try {
    const run = () => model(inputs.length === 1 ? inputs[0] : inputs, { training: false });
    // A model built lazily gets its layers on the first call: build it before catching calls.
    if (!model.built || model._flattenLayers(true).some((l) => !l.built)) enableGrad(run);
    for (const l of model._flattenLayers(true)) {
      if (!KERAS_CONVERTERS.has(l.constructor)) continue;
      const original = l.call;
      // An own `call` shadows the class's for this trace only (Layer's __call__ calls this.call).
      Object.defineProperty(l, "call", {
        configurable: true,
        writable: true,
        value: (x: unknown, kwargs: unknown) => {
          tracer.depth++;
          let out: unknown;
          try {
            out = original.call(l, x, kwargs as CallArgs | undefined);
          } finally {
            tracer.depth--;
          }
          tracer.leaf(l, [x], out);
          return out;
        },
      });
      patched.push(l);
    }
    tracer.events.length = 0;
    return enableGrad(run);
  } finally {
    for (const l of patched) delete (l as unknown as { call?: unknown }).call;
  }
}

/**
 * Exports a model to ONNX (opset 17 by default) and returns the file's bytes; with `path` (Node)
 * also writes them. The model is traced once on `sampleInput` in evaluation mode (Dropout off,
 * BatchNorm on its running statistics); dim 0 stays a symbolic batch size.
 *
 * Known whole modules/layers: PyTorch-dialect Linear, Conv1d/Conv2d, MaxPool2d, AvgPool2d,
 * AdaptiveAvgPool2d, BatchNorm1d/2d, LayerNorm, Embedding, Flatten, Dropout, Identity and the
 * activations; Keras-dialect Dense, Conv2D, MaxPooling2D, AveragePooling2D, Global pooling,
 * BatchNormalization, LayerNormalization, Embedding, Flatten, Reshape, Dropout, Activation. Code
 * between them (a custom forward/call) exports op by op (add, matmul, relu, reshape, …).
 *
 * @example
 * const bytes = duograd.onnx.exportModel(model, torch.randn(2, 4), "model.onnx");
 */
export function exportModel(model: Module | Layer, sampleInput: Tensor | Tensor[], path?: string | null, opts: ExportOptions = {}): Uint8Array {
  const isTorch = model instanceof Module;
  if (!isTorch && !(model instanceof Layer)) fail(`expected a torch.nn.Module or a tf.keras model/layer, got ${typeof model}`);
  const samples = Array.isArray(sampleInput) ? sampleInput : [sampleInput];
  if (samples.length === 0 || !samples.every((t) => t instanceof Tensor)) fail("sampleInput must be a tensor (or an array of tensors)");
  const opset = opts.opset ?? 17;
  if (!Number.isInteger(opset) || opset < 13 || opset > 17) fail(`opset must be an integer from 13 to 17, got ${opset}`);
  const dynamic = opts.dynamicBatch ?? true;
  if (dynamic && samples.some((t) => t.ndim === 0)) fail("a dynamic batch needs inputs with a batch dimension (got a 0-d sample input)");
  if (samples.some((t) => t.dtype === "float64")) fail("the sample input is float64; ONNX export writes float32 graphs (use model.float() / a float32 model and float32 input)");
  const batch = dynamic ? samples[0].shape[0] : null;
  if (dynamic && samples.some((t) => t.shape[0] !== batch)) fail(`the sample inputs disagree on the batch size (${samples.map((t) => fmtShape(t.shape)).join(", ")})`);

  // Trace on aliases of the samples (the user's tensors stay as they are); float inputs require
  // grad so that every op on them is recorded.
  const traced = samples.map((t) => {
    const a = t.detach();
    if (a.dtype === "float32" || a.dtype === "float64") a.requiresGrad = true;
    return a;
  });
  const tracer = new Tracer();
  pushRecorder(tracer.recorder);
  let result: unknown;
  try {
    result = isTorch ? traceTorch(model, traced, tracer) : traceKeras(model as Layer, traced, tracer);
  } finally {
    popRecorder(tracer.recorder);
  }
  const outputs = Array.isArray(result) ? result : [result];
  if (!outputs.every((t) => t instanceof Tensor)) fail("the model must return a tensor or an array of tensors");

  const weightNames = new Map<Tensor, string>();
  if (isTorch) {
    for (const [n, p] of (model as Module).namedParameters()) weightNames.set(p, n);
    for (const [n, b] of (model as Module).namedBuffers()) weightNames.set(b, n);
  } else {
    for (const [n, v] of weightPaths(model as Layer)) weightNames.set(v, n);
  }
  const ctx = new ExportContext(opset, batch, weightNames);
  const inNames = opts.inputNames ?? (traced.length === 1 ? ["input"] : traced.map((_, i) => `input_${i}`));
  const outNames = opts.outputNames ?? (outputs.length === 1 ? ["output"] : outputs.map((_, i) => `output_${i}`));
  if (inNames.length !== traced.length) fail(`inputNames has ${inNames.length} name(s) for ${traced.length} input(s)`);
  if (outNames.length !== outputs.length) fail(`outputNames has ${outNames.length} name(s) for ${outputs.length} output(s)`);
  traced.forEach((t, i) => ctx.set(t, ctx.g.input(inNames[i], elemType(t), ctx.dims(t))));

  for (const e of needed(tracer.events, outputs as Tensor[])) {
    if (e.kind === "op") convertOp(ctx, e);
    else if (e.target instanceof Module) convertTorchModule(ctx, e.target, e.input, e.output);
    else convertKerasLayer(ctx, e.target as Layer, e.input, e.output);
  }

  const named = new Set<string>();
  (outputs as Tensor[]).forEach((t, i) => {
    let v = ctx.value(t, "model output");
    // An output that is an input, a weight or another output gets its own node.
    if (!ctx.g.isNodeOutput(v) || named.has(v)) v = ctx.g.op("Identity", [v]);
    ctx.g.rename(v, outNames[i]);
    ctx.set(t, outNames[i]);
    named.add(outNames[i]);
    if (t.dtype !== "float32") fail(`output ${i} is ${t.dtype}; ONNX export writes float32 graphs`);
    ctx.g.output(outNames[i], elemType(t), ctx.dims(t));
  });
  const bytes = ctx.g.toModel(opts.graphName ?? model.constructor.name, opset, "0.1.0");
  if (path) writeFileBytes(path, bytes, "onnx.exportModel");
  return bytes;
}

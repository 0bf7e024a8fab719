// torch.utils.data: Dataset, TensorDataset and DataLoader (single process). Shuffling draws from
// the torch-side generator exactly as PyTorch 1.13's DataLoader does, so after the same
// `torch.manualSeed` the batches come in PyTorch's order.
import { Tensor } from "../../tensor/tensor.js";
import { fmtShape } from "../../tensor/shape.js";
import { ValueError } from "../../tensor/errors.js";
import { defaultGenerator } from "../../tensor/random_ops.js";
import { TorchGenerator } from "../../tensor/random/torch_generator.js";
import { stack } from "../../ops/shape.js";
import { indexSelect } from "../../ops/embedding.js";

/** A map-style dataset: `length` items, read by index (Python's `__len__` / `__getitem__`). */
export abstract class Dataset<T = unknown> {
  abstract get length(): number;
  abstract getItem(index: number): T;
}

/**
 * Samples as rows of tensors that share their first dim (`TensorDataset(inputs, labels)`); item i
 * is `[inputs[i], labels[i]]`.
 * @example const ds = new TensorDataset(x, y); ds.getItem(0); // [x[0], y[0]]
 */
export class TensorDataset extends Dataset<Tensor[]> {
  readonly tensors: Tensor[];

  constructor(...tensors: Tensor[]) {
    super();
    if (tensors.length === 0) throw new ValueError("TensorDataset: expected at least one tensor");
    const n = tensors[0].ndim === 0 ? -1 : tensors[0].shape[0];
    for (const t of tensors) {
      if (!(t instanceof Tensor) || t.ndim === 0 || t.shape[0] !== n) {
        throw new ValueError(`TensorDataset: Size mismatch between tensors (shapes ${tensors.map((x) => (x instanceof Tensor ? fmtShape(x.shape) : typeof x)).join(", ")}): all must have the same size in dim 0`);
      }
    }
    this.tensors = tensors;
  }

  get length(): number {
    return this.tensors[0].shape[0];
  }

  getItem(index: number): Tensor[] {
    const n = this.length;
    if (!Number.isInteger(index) || index < -n || index >= n) throw new ValueError(`TensorDataset: index ${index} is out of range for ${n} samples`);
    return this.tensors.map((t) => t.select(0, index));
  }

  /** Rows `indices` of every tensor at once: what collating their items would give, in one gather. */
  getBatch(indices: readonly number[]): Tensor[] {
    const idx = new Tensor(Int32Array.from(indices), [indices.length], "int32");
    return this.tensors.map((t) => indexSelect(t, 0, idx));
  }
}

/**
 * PyTorch's default_collate for the shapes duograd handles: tensors are stacked on a new first
 * dim, numbers become a 1-D tensor, arrays and objects are collated field by field.
 */
export function defaultCollate(batch: readonly unknown[]): unknown {
  const first = batch[0];
  if (first instanceof Tensor) return stack(batch as Tensor[], 0);
  if (typeof first === "number") return new Tensor(Float32Array.from(batch as number[]), [batch.length], "float32");
  if (Array.isArray(first)) return first.map((_, i) => defaultCollate(batch.map((b) => (b as unknown[])[i])));
  if (first !== null && typeof first === "object") {
    return Object.fromEntries(Object.keys(first).map((k) => [k, defaultCollate(batch.map((b) => (b as Record<string, unknown>)[k]))]));
  }
  return batch.slice();
}

/** Options of DataLoader; the defaults are PyTorch's. */
export interface DataLoaderOptions<T, B> {
  /** Samples per batch (1); null yields the samples one by one, uncollated. */
  batchSize?: number | null;
  /** Reshuffle the samples at every epoch (false). */
  shuffle?: boolean;
  /** Drop the last batch when it is smaller than batchSize (false). */
  dropLast?: boolean;
  /** The generator shuffling draws from (the global torch one). */
  generator?: TorchGenerator;
  /** Merges a list of samples into a batch (defaultCollate). */
  collateFn?: (samples: T[]) => B;
}

/** An int64 draw, `torch.empty((), dtype=torch.int64).random_(generator=g)`: random64() mod 2^63. */
function drawInt64(g: TorchGenerator): bigint {
  return BigInt.asUintN(63, g.random64());
}

/**
 * Iterates over a dataset in batches (`DataLoader(dataset, { batchSize, shuffle, dropLast })`).
 * Each epoch (each `for … of`) draws from the torch generator as PyTorch's does: one int64 seed
 * when the iterator is made and, when shuffling without a generator, one more to seed the
 * permutation's generator.
 * @example
 * const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 32, shuffle: true });
 * for (const [xb, yb] of loader) { ... }
 */
export class DataLoader<T = unknown, B = any> implements Iterable<B> {
  readonly dataset: Dataset<T>;
  readonly batchSize: number | null;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly generator: TorchGenerator | null;
  readonly collateFn: ((samples: T[]) => B) | null;

  constructor(dataset: Dataset<T>, opts: DataLoaderOptions<T, B> = {}) {
    if (!dataset || typeof dataset.getItem !== "function") throw new ValueError("DataLoader: dataset must have getItem(index) and length");
    const bs = opts.batchSize === undefined ? 1 : opts.batchSize;
    if (bs !== null && (!Number.isInteger(bs) || bs <= 0)) throw new ValueError(`DataLoader: batch_size should be a positive integer value, but got batch_size=${bs}`);
    if (bs === null && opts.dropLast) throw new ValueError("DataLoader: batch_size=null option disables auto-batching and is mutually exclusive with drop_last");
    this.dataset = dataset;
    this.batchSize = bs;
    this.shuffle = opts.shuffle ?? false;
    this.dropLast = opts.dropLast ?? false;
    this.generator = opts.generator ?? null;
    this.collateFn = opts.collateFn ?? null;
  }

  /** Number of batches per epoch. */
  get length(): number {
    const n = this.dataset.length;
    if (this.batchSize === null) return n;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  [Symbol.iterator](): Iterator<B> {
    const gen = this.generator ?? defaultGenerator;
    drawInt64(gen); // the iterator's base seed (for worker processes in PyTorch); drawn all the same
    const n = this.dataset.length;
    let order: ArrayLike<number> | null = null;
    let pos = 0;
    const sampleOrder = (): ArrayLike<number> => {
      if (!this.shuffle) return { length: n } as ArrayLike<number>;
      // RandomSampler: its own generator seeded from the global one, unless the loader has one.
      const g = this.generator ?? new TorchGenerator(drawInt64(defaultGenerator));
      return g.randperm(n);
    };
    const at = (i: number) => (this.shuffle ? order![i] : i);
    return {
      next: (): IteratorResult<B> => {
        if (order === null) order = sampleOrder();
        if (pos >= n) return { done: true, value: undefined };
        if (this.batchSize === null) return { done: false, value: this.dataset.getItem(at(pos++)) as unknown as B };
        const end = Math.min(pos + this.batchSize, n);
        if (this.dropLast && end - pos < this.batchSize) {
          pos = n;
          return { done: true, value: undefined };
        }
        const idx: number[] = [];
        for (let i = pos; i < end; i++) idx.push(at(i));
        pos = end;
        if (this.collateFn === null && this.dataset instanceof TensorDataset) return { done: false, value: this.dataset.getBatch(idx) as B };
        const samples = idx.map((i) => this.dataset.getItem(i));
        return { done: false, value: (this.collateFn ?? (defaultCollate as unknown as (s: T[]) => B))(samples) };
      },
      [Symbol.iterator]() {
        return this;
      },
    } as Iterator<B>;
  }
}

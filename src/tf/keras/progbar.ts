// Keras' progress bar (tf.keras.utils.Progbar) as TF 2.x prints it:
//   7/7 [==============================] - 0s 2ms/step - loss: 0.1234
// On a terminal the line is redrawn in place ("\r") at most every `interval` seconds; elsewhere
// only the final line of each run is printed. verbose 2 prints `7/7 - 0s - loss: 0.1234` at the end.
import { kerasOutput } from "./output.js";

const now = (): number => (typeof performance !== "undefined" ? performance.now() : Date.now()) / 1000;

/** Python's `'%.4f' % v` above 1e-3 in magnitude, else `'%.4e' % v` (exponent of two digits at least). */
export function formatValue(v: number): string {
  if (Math.abs(v) > 1e-3) return v.toFixed(4);
  const [mant, exp] = v.toExponential(4).split("e");
  const sign = exp.startsWith("-") ? "-" : "+";
  const digits = exp.replace(/^[+-]/, "");
  return `${mant}e${sign}${digits.padStart(2, "0")}`;
}

/** Keras' `_format_time`: ` 2ms/step`, ` 3s/step`, ` 850us/step`. */
export function formatTime(timePerUnit: number, unit: string): string {
  if (timePerUnit >= 1 || timePerUnit === 0) return ` ${timePerUnit.toFixed(0)}s/${unit}`;
  if (timePerUnit >= 1e-3) return ` ${(timePerUnit * 1e3).toFixed(0)}ms/${unit}`;
  return ` ${(timePerUnit * 1e6).toFixed(0)}us/${unit}`;
}

export interface ProgbarOptions {
  width?: number;
  verbose?: number;
  /** Minimum seconds between redraws on a terminal. */
  interval?: number;
  unitName?: string;
}

/**
 * A progress bar over `target` steps. `update(current, values)` shows the values as given (the
 * averaging happens in the metrics), `finalize` ends the line.
 * @example const bar = new Progbar(7); bar.update(7, [["loss", 0.1234]], true);
 */
export class Progbar {
  private readonly width: number;
  private readonly verbose: number;
  private readonly interval: number;
  private readonly unitName: string;
  private readonly start = now();
  private lastUpdate = 0;
  private totalWidth = 0;
  private values = new Map<string, number>();

  constructor(readonly target: number | null, opts: ProgbarOptions = {}) {
    this.width = opts.width ?? 30;
    this.verbose = opts.verbose ?? 1;
    this.interval = opts.interval ?? 0.05;
    this.unitName = opts.unitName ?? "step";
  }

  private valuesText(): string {
    let s = "";
    for (const [k, v] of this.values) s += ` - ${k}: ${formatValue(v)}`;
    return s;
  }

  private count(current: number): string {
    const t = this.target ?? current;
    const digits = String(Math.max(1, Math.floor(t))).length;
    return `${String(current).padStart(digits)}/${t}`;
  }

  update(current: number, values: readonly (readonly [string, number])[] = [], finalize = false): void {
    for (const [k, v] of values) this.values.set(k, v);
    const t = now();
    const out = kerasOutput();
    const elapsed = t - this.start;
    if (this.verbose === 1) {
      if (!finalize && t - this.lastUpdate < this.interval) return;
      // Off a terminal a line cannot be redrawn: only the final one is printed.
      if (!out.isTTY && !finalize) return;
      this.lastUpdate = t;
      const prevWidth = this.totalWidth;
      let bar: string;
      if (this.target !== null) {
        bar = `${this.count(current)} [`;
        const progWidth = Math.floor(this.width * (current / this.target));
        if (progWidth > 0) bar += "=".repeat(progWidth - 1) + (current < this.target ? ">" : "=");
        bar += ".".repeat(Math.max(0, this.width - progWidth)) + "]";
      } else bar = `${String(current).padStart(7)}/Unknown`;
      const perUnit = current > 0 ? elapsed / current : 0;
      let info: string;
      if (this.target === null || finalize) info = ` - ${elapsed.toFixed(0)}s${formatTime(perUnit, this.unitName)}`;
      else info = ` - ETA: ${formatEta(perUnit * (this.target - current))}`;
      info += this.valuesText();
      this.totalWidth = bar.length + info.length;
      if (prevWidth > this.totalWidth) info += " ".repeat(prevWidth - this.totalWidth);
      out.write((out.isTTY ? "\r" : "") + bar + info + (finalize ? "\n" : ""));
    } else if (this.verbose === 2 && finalize) {
      out.write(`${this.count(current)} - ${elapsed.toFixed(0)}s${this.valuesText()}\n`);
    }
  }
}

function formatEta(eta: number): string {
  if (eta > 3600) return `${Math.floor(eta / 3600)}:${String(Math.floor((eta % 3600) / 60)).padStart(2, "0")}:${String(Math.floor(eta % 60)).padStart(2, "0")}`;
  if (eta > 60) return `${Math.floor(eta / 60)}:${String(Math.floor(eta % 60)).padStart(2, "0")}`;
  return `${Math.floor(eta)}s`;
}

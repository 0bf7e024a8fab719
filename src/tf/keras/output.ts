// Where Keras' printed output goes: the process's standard output when there is one (its isTTY
// decides whether the progress bar is redrawn in place), else the console, line by line. Tests
// and applications may redirect it.

/** A sink for Keras' text output. */
export interface KerasOutput {
  write(text: string): void;
  /** A terminal: the progress bar is rewritten in place with "\r". */
  readonly isTTY: boolean;
}

interface StdoutLike {
  write(s: string): unknown;
  isTTY?: boolean;
}

// Lines for the console when there is no stdout (browsers): "\r" starts the line over.
let pending = "";
const consoleOutput: KerasOutput = {
  isTTY: false,
  write(text: string) {
    for (const ch of text) {
      if (ch === "\n") {
        console.log(pending);
        pending = "";
      } else if (ch === "\r") pending = "";
      else pending += ch;
    }
  },
};

let custom: KerasOutput | null = null;

/** The current output: the one set with `setOutput`, else stdout, else the console. */
export function kerasOutput(): KerasOutput {
  if (custom) return custom;
  const proc = (globalThis as { process?: { stdout?: StdoutLike } }).process;
  const out = proc?.stdout;
  if (out && typeof out.write === "function") return { write: (s) => void out.write(s), isTTY: out.isTTY === true };
  return consoleOutput;
}

/**
 * Sends Keras' printed output (progress bars, epoch lines, summaries) to `output`; null restores
 * the default. Returns the previous setting.
 * @example
 * let text = "";
 * tf.keras.utils.setOutput({ write: (s) => { text += s; }, isTTY: false });
 */
export function setOutput(output: KerasOutput | null): KerasOutput | null {
  const prev = custom;
  custom = output;
  return prev;
}

/** Prints one line (Python's `print`). */
export function printLine(line: string): void {
  kerasOutput().write(`${line}\n`);
}

/**
 * Warnings: advice that does not stop the computation (PyTorch's `warnings.warn`), such as a loss
 * whose target size differs from its input size. Portable: no Node API, so it runs in browsers.
 */

/** Receives every warning duograd raises. */
export type WarningHandler = (message: string) => void;

// Python's default filter shows each distinct warning once; repeating it every epoch of a
// training loop would bury the output.
const shown = new Set<string>();

function defaultHandler(message: string): void {
  if (shown.has(message)) return;
  shown.add(message);
  console.warn(`UserWarning: ${message}`);
}

let handler: WarningHandler = defaultHandler;

/**
 * Raises a warning through the current handler. By default each distinct message is printed once
 * with `console.warn`.
 * @example warn("mse_loss: Using a target size ([200]) that is different to the input size ([200, 1]). …");
 */
export function warn(message: string): void {
  handler(message);
}

/**
 * Replaces the warning handler (null restores the default) and returns the previous one, so a
 * caller can capture warnings and put things back. A custom handler sees every warning, repeats
 * included.
 * @example
 * const seen: string[] = [];
 * const prev = setWarningHandler((m) => seen.push(m));
 * try { mseLoss(pred, labels); } finally { setWarningHandler(prev); }
 */
export function setWarningHandler(fn: WarningHandler | null): WarningHandler {
  const prev = handler;
  handler = fn ?? defaultHandler;
  return prev;
}

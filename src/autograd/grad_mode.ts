// Whether ops record graph nodes. One switch serves torch.noGrad and tape.stopRecording.
let enabled = true;

/** Whether ops record graph nodes now (PyTorch's `torch.is_grad_enabled()`). */
export function isGradEnabled(): boolean {
  return enabled;
}

/**
 * Switches recording on or off until switched again; prefer {@link noGrad} / {@link enableGrad},
 * which restore the previous mode.
 */
export function setGradEnabled(on: boolean): void {
  enabled = on;
}

/** Runs `fn` with recording set to `on`, restoring the previous mode after (even on a throw). */
function withGradMode<T>(on: boolean, fn: () => T): T {
  const prev = enabled;
  enabled = on;
  try {
    return fn();
  } finally {
    enabled = prev;
  }
}

/**
 * Runs `fn` with recording off (PyTorch's `with torch.no_grad():`). Returns what `fn` returns.
 * @example const y = noGrad(() => model(x));
 */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/**
 * Runs `fn` with recording on, even inside `noGrad` (PyTorch's `torch.enable_grad`).
 * @example noGrad(() => enableGrad(() => x.mul(x))).requiresGrad; // true when x requires grad
 */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}

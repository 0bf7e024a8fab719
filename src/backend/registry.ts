import type { Backend } from "./backend.js";
import { DuogradError } from "../tensor/errors.js";

const backends = new Map<string, Backend>();
let current: Backend | null = null;

/** Makes a backend available under its name; the first one registered becomes current. */
export function registerBackend(b: Backend): void {
  backends.set(b.name, b);
  if (current === null) current = b;
}

/**
 * Selects the backend every op runs on from now on.
 * @example setBackend("js");
 */
export function setBackend(name: string): void {
  const b = backends.get(name);
  if (!b) throw new DuogradError(`setBackend: no backend named "${name}" (registered: ${[...backends.keys()].join(", ")})`);
  current = b;
}

/** The name of the current backend. */
export function getBackendName(): string {
  return backend().name;
}

export function listBackends(): string[] {
  return [...backends.keys()];
}

/** The current backend (used by ops). */
export function backend(): Backend {
  if (current === null) throw new DuogradError("no backend registered");
  return current;
}

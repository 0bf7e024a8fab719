/** Checks that the output folder can be written, before any training starts. */
import { mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

/** The output folder cannot be created or written; main.ts reports it and exits with code 2. */
export class OutputDirError extends Error {
  override name = "OutputDirError";
}

/**
 * Creates `dir` (and its parents) if needed and proves it writable by writing and removing a
 * probe file, since permission bits alone do not tell (root ignores them; read-only mounts do not
 * show in them). Returns the absolute path.
 * @throws OutputDirError naming the folder and the reason.
 * @example const out = ensureWritableDir("out");
 */
export function ensureWritableDir(dir: string): string {
  const abs = resolve(dir);
  try {
    mkdirSync(abs, { recursive: true });
  } catch (e) {
    throw new OutputDirError(`cannot create output folder '${dir}': ${reason(e)}`);
  }
  if (!statSync(abs).isDirectory()) throw new OutputDirError(`output folder '${dir}' is not a folder`);
  const probe = join(abs, `.duograd-write-check-${process.pid}`);
  try {
    writeFileSync(probe, "");
  } catch (e) {
    throw new OutputDirError(`cannot write to output folder '${dir}': ${reason(e)}`);
  } finally {
    rmSync(probe, { force: true });
  }
  return abs;
}

function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const messages: Record<string, string> = {
    EACCES: "permission denied",
    EPERM: "operation not permitted",
    EROFS: "read-only file system",
    ENOTDIR: "a part of the path is a file, not a folder",
    EEXIST: "a file of that name exists",
    ENOSPC: "no space left on device",
  };
  return (err.code && messages[err.code]) ?? err.message ?? String(e);
}

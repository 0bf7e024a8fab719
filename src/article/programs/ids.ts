/**
 * The names of the article's programs, in the order the demo runs them. Kept apart from the
 * programs so option parsing can list them without loading the dialects.
 */
export const PROGRAM_IDS = ["tf-raw", "torch-raw", "tf-fit", "tf-train-loop", "torch-layers", "pitfall"] as const;

/** One of {@link PROGRAM_IDS}. */
export type ProgramId = (typeof PROGRAM_IDS)[number];

/** Whether `s` names an article program. */
export function isProgramId(s: string): s is ProgramId {
  return (PROGRAM_IDS as readonly string[]).includes(s);
}

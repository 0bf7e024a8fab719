/**
 * The summary table: every program's final line, loss and speed beside the least-squares
 * solution of the same data. One set of rows, printed as text and rendered in the report.
 */
import type { ArticleRun } from "./article.js";

/** Column headers of the summary table. */
export const SUMMARY_HEADERS = ["program", "dialect", "epochs", "w", "b", "final loss", "MSE of the line", "ms/epoch"];

/** One row: the cells as text, and whether it is a reference rather than a trained program. */
export interface SummaryRow {
  cells: string[];
  kind: "program" | "pitfall" | "reference";
}

/** A number with 6 significant digits, e.g. 0.0967232 or 8.56303e-6; "—" for a missing value. */
export function fmt(v: number | undefined, digits = 6): string {
  if (v === undefined) return "—";
  if (!Number.isFinite(v)) return String(v);
  // Exponent form below 1e-4, where fixed notation would be mostly zeros.
  if (v !== 0 && Math.abs(v) < 1e-4) return v.toExponential(digits - 1).replace(/\.?0+e/, "e");
  return Number(v.toPrecision(digits)).toString();
}

function fmtMs(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3);
}

const LOSS_ABBREV: Record<string, string> = { "mean squared error": "MSE", "mean absolute error": "MAE" };

/** The rows: the programs in run order, the pitfall if it ran, then the least-squares line. */
export function summaryRows(run: ArticleRun): SummaryRow[] {
  const rows: SummaryRow[] = run.programs.map((p) => ({
    kind: "program",
    cells: [
      p.spec.name,
      p.spec.dialect,
      String(p.epochs),
      fmt(p.result.w),
      fmt(p.result.b),
      `${fmt(p.finalLoss)} (${LOSS_ABBREV[p.spec.loss] ?? p.spec.loss})`,
      fmt(p.mse),
      fmtMs(p.msPerEpoch),
    ],
  }));
  const pit = run.pitfall;
  if (pit !== undefined) {
    rows.push({
      kind: "pitfall",
      cells: [
        pit.name,
        "torch",
        String(pit.epochs),
        fmt(pit.result.w),
        fmt(pit.result.b),
        `${fmt(pit.finalLoss)} (MSE over [${pit.result.diffShape.join(", ")}])`,
        fmt(pit.mse),
        fmtMs(pit.msPerEpoch),
      ],
    });
  }
  const ls = run.leastSquares;
  rows.push({ kind: "reference", cells: ["least squares (closed form)", "—", "—", fmt(ls.w), fmt(ls.b), "—", fmt(ls.mse), "—"] });
  return rows;
}

/**
 * A plain-text table with columns padded to their widest cell; numbers are right-aligned.
 * @example formatTable(["a", "b"], [["1", "x"]]) // "a  b\n-  -\n1  x"
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, j) => Math.max(h.length, ...rows.map((r) => (r[j] ?? "").length)));
  const numeric = headers.map((_, j) => rows.length > 0 && rows.every((r) => /^[-+\d.e—]+$/.test(r[j] ?? "")));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, j) => (numeric[j] ? c.padStart(widths[j]!) : c.padEnd(widths[j]!)))
      .join("  ")
      .trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** The summary as text, ready to print. */
export function summaryText(run: ArticleRun): string {
  return formatTable(
    SUMMARY_HEADERS,
    summaryRows(run).map((r) => r.cells),
  );
}

/** Notes that explain what the summary's numbers mean for the programs that ran. */
export function summaryNotes(run: ArticleRun): string[] {
  const ran = new Set(run.programs.map((p) => p.spec.id as string));
  const notes = [
    "MSE of the line: the mean squared error of the final line on all samples, comparable across programs; " +
      "the least-squares line has the smallest possible.",
  ];
  if (ran.has("tf-raw") && ran.has("torch-raw")) {
    notes.push(
      "tensorflow raw and pytorch raw run the same steps from different random starts (each dialect has its own " +
        "generator): in 100 epochs at lr 0.01 both reach the least-squares slope w, while b, whose gradient is " +
        "much smaller, is still on its way, as in PyTorch's own run of the program.",
    );
  }
  if (ran.has("tf-fit")) {
    notes.push(
      "tensorflow fit minimises the mean absolute error in batches of 32, as the article does: its final loss is an MAE, " +
        "and its line differs from the least-squares one.",
    );
  }
  return notes;
}

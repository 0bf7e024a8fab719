/**
 * report.html: one self-contained page (no external resources) with the figures as data URLs,
 * the summary table, the broadcasting pitfall, each program's code beside its counterpart in
 * the other dialect, and the article's table of differences pointing at the lines that ran.
 */
import { getBackendName } from "../index.js";
import { DIFFERENCES, matchingLines } from "../article/differences.js";
import { PITFALL_FILE, PROGRAMS, programSpec, type ProgramSpec } from "../article/programs/index.js";
import type { ArticleRun, ProgramRun } from "./article.js";
import type { Figure } from "./figures.js";
import { escapeHtml as esc, highlightLines } from "./highlight.js";
import { readProgramSource, type ProgramSource } from "./sources.js";
import { SUMMARY_HEADERS, fmt, summaryNotes, summaryRows } from "./summary.js";

/** The pairs of listings shown side by side: a TensorFlow program and its PyTorch counterpart. */
const PAIRS: readonly { heading: string; tf: ProgramSpec["id"]; torch?: ProgramSpec["id"]; note?: string }[] = [
  { heading: "Raw parameters, gradients by hand", tf: "tf-raw", torch: "torch-raw" },
  { heading: "Layers, the library's loss and optimizer", tf: "tf-train-loop", torch: "torch-layers" },
  {
    heading: "The high-level training loop",
    tf: "tf-fit",
    note: "PyTorch has no fit: its counterpart is the loop written out in torch_layers.ts, above.",
  },
];

/** `code` in backticks becomes <code>; everything else is escaped. */
function inlineCode(text: string): string {
  return text
    .split("`")
    .map((part, i) => (i % 2 === 1 ? `<code>${esc(part)}</code>` : esc(part)))
    .join("");
}

function anchor(file: string, line: number): string {
  return `src-${file.replace(/\W/g, "-")}-L${line}`;
}

/** Sources of every program shown, keyed by file name. */
function loadSources(): Map<string, ProgramSource> {
  const sources = new Map<string, ProgramSource>();
  for (const file of [...PROGRAMS.map((p) => p.file), PITFALL_FILE]) sources.set(file, readProgramSource(file));
  return sources;
}

/** For each program file, its referenced lines and the aspects that reference them. */
function referencedLines(sources: Map<string, ProgramSource>, ran: Set<string>): Map<string, Map<number, string[]>> {
  const refs = new Map<string, Map<number, string[]>>();
  for (const d of DIFFERENCES) {
    for (const r of d.refs) {
      const spec = programSpec(r.program);
      if (!ran.has(spec.id)) continue;
      const src = sources.get(spec.file)!;
      const perFile = refs.get(spec.file) ?? new Map<number, string[]>();
      for (const line of matchingLines(src.text, r.pattern)) perFile.set(line, [...(perFile.get(line) ?? []), d.aspect]);
      refs.set(spec.file, perFile);
    }
  }
  return refs;
}

function listing(src: ProgramSource, refs: Map<number, string[]> | undefined, fileId: string): string {
  const lines = highlightLines(src.text).map((html, i) => {
    const n = i + 1;
    const aspects = refs?.get(n);
    const cls = aspects ? "line ref" : "line";
    const title = aspects ? ` title="${esc(aspects.join("; "))}"` : "";
    return `<span class="${cls}" id="${anchor(fileId, n)}"${title}><span class="ln">${n}</span>${html}</span>`;
  });
  const note = src.compiled ? `<p class="note">The TypeScript source was not found; this is the compiled JavaScript.</p>` : "";
  // Each line is a block of its own, so no newlines between them (they would double the spacing).
  return `${note}<pre class="code"><code>${lines.join("")}</code></pre>`;
}

function figureHtml(f: Figure): string {
  const dataUrl = `data:image/svg+xml;base64,${Buffer.from(f.svg, "utf8").toString("base64")}`;
  const size = /<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(f.svg);
  const dims = size ? ` width="${Math.round(Number(size[1]))}" height="${Math.round(Number(size[2]))}"` : "";
  const links = f.files.map((p) => p.split(/[\\/]/).pop()!).map((n) => `<a href="${esc(n)}">${esc(n)}</a>`);
  return (
    `<figure id="fig-${f.name}"><img src="${dataUrl}" alt="${esc(f.title)}"${dims}>` +
    `<figcaption>${esc(f.title)}${links.length > 0 ? ` · ${links.join(" · ")}` : ""}` +
    `${f.note ? `<br>${esc(f.note)}` : ""}</figcaption></figure>`
  );
}

function outputBlock(lines: string[], label = "Printed output"): string {
  if (lines.length === 0) return "";
  return `<details class="output"><summary>${esc(label)}</summary><pre>${esc(lines.join("\n"))}</pre></details>`;
}

function programPanel(
  spec: ProgramSpec,
  run: ProgramRun | undefined,
  sources: Map<string, ProgramSource>,
  refs: Map<string, Map<number, string[]>>,
): string {
  const src = sources.get(spec.file)!;
  const dialect = spec.dialect === "tf" ? "TensorFlow dialect (tf)" : "PyTorch dialect (torch)";
  const status = run
    ? `${run.epochs} epochs · w = ${fmt(run.result.w)}, b = ${fmt(run.result.b)} · final ${spec.loss} ${fmt(run.finalLoss)}`
    : "not run this time (see --only)";
  const output =
    run && run.output.length === 0 && spec.id === "tf-fit"
      ? outputBlock(
          run.result.losses.map((l, e) => `epoch ${e + 1}: loss ${l}`),
          "Loss per epoch (history.history.loss)",
        )
      : outputBlock(run?.output ?? []);
  return (
    `<div class="panel ${spec.dialect}" id="program-${spec.id}">` +
    `<h4>${esc(spec.title)}</h4><p class="meta">${esc(dialect)} · <code>${esc(src.file)}</code> · ${esc(status)}</p>` +
    listing(src, refs.get(spec.file), spec.file) +
    output +
    `</div>`
  );
}

function summaryTable(run: ArticleRun): string {
  const head = SUMMARY_HEADERS.map((h) => `<th scope="col">${esc(h)}</th>`).join("");
  const body = summaryRows(run)
    .map((r) => `<tr class="${r.kind}">${r.cells.map((c, j) => (j === 0 ? `<th scope="row">${esc(c)}</th>` : `<td>${esc(c)}</td>`)).join("")}</tr>`)
    .join("\n");
  return `<table id="summary-table"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function pitfallSection(run: ArticleRun, figure: Figure | undefined, sources: Map<string, ProgramSource>): string {
  const pit = run.pitfall;
  if (pit === undefined) return "";
  const r = pit.result;
  const shape = (s: readonly number[]) => `[${s.join(", ")}]`;
  const correct = run.programs.find((p) => p.spec.id === "torch-raw");
  const rows = [
    ["w", fmt(r.w), correct ? fmt(correct.result.w) : "—", fmt(run.leastSquares.w), "0"],
    ["b", fmt(r.b), correct ? fmt(correct.result.b) : "—", fmt(run.leastSquares.b), `mean(y) = ${fmt(run.meanY)}`],
  ];
  const table =
    `<table id="pitfall-table"><thead><tr><th scope="col"></th><th scope="col">labels ${esc(shape(r.labelsShape))}</th>` +
    `<th scope="col">labels ${esc(shape(r.predShape))} (correct)</th><th scope="col">least squares</th><th scope="col">where the pitfall heads</th></tr></thead><tbody>` +
    rows.map((row) => `<tr><th scope="row">${row[0]}</th>${row.slice(1).map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`).join("") +
    `</tbody></table>`;
  const warnings = r.warnings.length > 0 ? r.warnings.map((w) => `UserWarning: ${w}`).join("\n") : "(no warning was emitted)";
  return `<section id="pitfall"><h2>The broadcasting pitfall</h2>
<p>The PyTorch raw program once more, with <code>labels = torch.tensor(y)</code> left at shape
<code>${esc(shape(r.labelsShape))}</code> instead of reshaped to <code>${esc(shape(r.predShape))}</code>.
<code>yPred.sub(labels)</code> then broadcasts <code>${esc(shape(r.predShape))}</code> against
<code>${esc(shape(r.labelsShape))}</code> to <code>${esc(shape(r.diffShape))}</code>: every prediction is
compared with every label. The loss is smallest where every prediction equals the mean of all labels,
so training drives <em>w</em> to 0 and <em>b</em> towards mean(y), and nothing fails.</p>
${table}
<p><code>torch.mean(torch.square(…))</code> cannot know what was meant and says nothing, as in PyTorch.
<code>torch.nn.MSELoss</code> on the same tensors warns:</p>
<pre class="warning">${esc(warnings)}</pre>
${figure ? figureHtml(figure) : ""}
<div class="pair single">${programPitfallPanel(pit.output, sources)}</div>
</section>`;
}

function programPitfallPanel(output: string[], sources: Map<string, ProgramSource>): string {
  const src = sources.get(PITFALL_FILE)!;
  return (
    `<div class="panel torch" id="program-pitfall"><h4>The pitfall program</h4>` +
    `<p class="meta">PyTorch dialect (torch) · <code>${esc(src.file)}</code></p>` +
    listing(src, undefined, src.file) +
    outputBlock(output) +
    `</div>`
  );
}

function differencesTable(run: ArticleRun, sources: Map<string, ProgramSource>): string {
  const ran = new Set(run.programs.map((p) => p.spec.id as string));
  const links = (refs: (typeof DIFFERENCES)[number]["refs"], dialect: "tf" | "torch") => {
    const out: string[] = [];
    for (const r of refs) {
      const spec = programSpec(r.program);
      if (spec.dialect !== dialect || !ran.has(spec.id)) continue;
      const src = sources.get(spec.file)!;
      for (const line of matchingLines(src.text, r.pattern)) {
        out.push(`<a class="lineref" href="#${anchor(spec.file, line)}">${esc(src.file)}:${line}</a>`);
      }
    }
    return out.length > 0 ? `<div class="refs">${out.join(" ")}</div>` : "";
  };
  const body = DIFFERENCES.map(
    (d) =>
      `<tr><th scope="row">${esc(d.aspect)}</th><td>${inlineCode(d.tf)}${links(d.refs, "tf")}</td>` +
      `<td>${inlineCode(d.torch)}${links(d.refs, "torch")}</td></tr>`,
  ).join("\n");
  return (
    `<table id="differences-table"><thead><tr><th scope="col"></th><th scope="col">TensorFlow 2 / Keras (<code>tf</code>)</th>` +
    `<th scope="col">PyTorch (<code>torch</code>)</th></tr></thead><tbody>\n${body}\n</tbody></table>`
  );
}

const STYLE = `
:root { --tf: #e8590c; --torch: #1c7ed6; --border: #dee2e6; --muted: #6c757d; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", system-ui, sans-serif; margin: 0; color: #212529; background: #fff; line-height: 1.5; }
header, main, footer { max-width: 1400px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 24px; }
h1 { margin: 0 0 4px; font-size: 1.7rem; }
h2 { margin-top: 40px; border-bottom: 1px solid var(--border); padding-bottom: 4px; }
nav a { margin-right: 16px; }
.meta, .note, .notes, figcaption, footer { color: var(--muted); font-size: 0.9rem; }
.figures { display: flex; flex-wrap: wrap; gap: 24px; }
figure { margin: 0; max-width: 100%; }
figcaption { max-width: 800px; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--border); }
table { border-collapse: collapse; margin: 12px 0; }
th, td { border: 1px solid var(--border); padding: 4px 10px; text-align: left; vertical-align: top; }
thead th { background: #f1f3f5; }
#summary-table td { text-align: right; font-variant-numeric: tabular-nums; }
#summary-table tr.pitfall { background: #fff4e6; }
#summary-table tr.reference { background: #f8f9fa; font-style: italic; }
#differences-table td { max-width: 560px; }
.refs { margin-top: 4px; font-size: 0.85rem; }
.refs a { margin-right: 8px; white-space: nowrap; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; margin-bottom: 24px; }
.pair.single { grid-template-columns: 1fr; }
@media (max-width: 1000px) { .pair { grid-template-columns: 1fr; } }
.panel { border-top: 4px solid var(--border); min-width: 0; }
.panel.tf { border-top-color: var(--tf); }
.panel.torch { border-top-color: var(--torch); }
.panel h4 { margin: 8px 0 0; }
pre { background: #f8f9fa; border: 1px solid var(--border); padding: 8px; overflow-x: auto; font-size: 0.8rem; }
pre.code { line-height: 1.45; }
pre.warning { background: #fff9db; border-color: #fab005; white-space: pre-wrap; }
.line { display: block; padding-right: 8px; }
.line.ref { background: #e7f5ff; }
.line:target { background: #ffe066; outline: 1px solid #f59f00; }
.ln { display: inline-block; width: 3em; color: #adb5bd; user-select: none; text-align: right; margin-right: 1em; }
.tok-comment { color: #5c940d; }
.tok-string { color: #c2255c; }
.tok-keyword { color: #5f3dc4; font-weight: bold; }
.tok-number { color: #0b7285; }
.pair-note { color: var(--muted); align-self: center; }
details.output { margin-top: 8px; }
`;

/**
 * The report of a run as one HTML page. `figures` are the rendered figures (empty with
 * --no-plots); the program sources are read from the package.
 * @example writeFileSync("out/report.html", buildReport(run, figures));
 */
export function buildReport(run: ArticleRun, figures: Figure[]): string {
  const sources = loadSources();
  const ran = new Set(run.programs.map((p) => p.spec.id as string));
  const refs = referencedLines(sources, ran);
  const runs = new Map(run.programs.map((p) => [p.spec.id as string, p]));
  const o = run.options;

  const mainFigures = figures.filter((f) => f.name !== "pitfall");
  const figuresHtml =
    mainFigures.length > 0
      ? `<div class="figures">${mainFigures.map(figureHtml).join("\n")}</div>`
      : `<p class="note">Figures were not rendered (--no-plots).</p>`;

  const pairs = PAIRS.filter((p) => ran.has(p.tf) || (p.torch !== undefined && ran.has(p.torch)))
    .map((p) => {
      const right =
        p.torch !== undefined
          ? programPanel(programSpec(p.torch), runs.get(p.torch), sources, refs)
          : `<p class="pair-note">${esc(p.note ?? "")}</p>`;
      return `<h3>${esc(p.heading)}</h3><div class="pair">${programPanel(programSpec(p.tf), runs.get(p.tf), sources, refs)}${right}</div>`;
    })
    .join("\n");

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>A Tale of Two Frameworks, reproduced by duograd</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>A Tale of Two Frameworks: PyTorch vs. TensorFlow</h1>
<p class="meta">Reproduced by duograd, which runs each program in its own dialect over one core.
${o.n} samples of y = 0.1·x + 0.3 + noise (NumPy legacy seed ${o.seed}); epochs ${o.epochs}
(library loops ${3 * o.epochs}); learning rate ${o.lr}; backend ${esc(getBackendName())}.</p>
<nav><a href="#figures">Figures</a><a href="#summary">Summary</a>${run.pitfall ? `<a href="#pitfall">The pitfall</a>` : ""}<a href="#programs">Programs</a><a href="#differences">Differences</a></nav>
</header>
<main>
<section id="figures"><h2>Figures</h2>
${figuresHtml}
</section>
<section id="summary"><h2>Summary</h2>
<p>Each program's fitted line y = w·x + b, the loss of its last epoch (as the program computed it),
the mean squared error of its line on all samples, and the time per epoch, beside the least-squares
solution of the same data.</p>
${summaryTable(run)}
<ul class="notes">${summaryNotes(run).map((n) => `<li>${esc(n)}</li>`).join("")}</ul>
</section>
${pitfallSection(run, figures.find((f) => f.name === "pitfall"), sources)}
<section id="programs"><h2>Programs</h2>
<p>Each program as it ran, beside its counterpart in the other dialect. Highlighted lines are the ones the
table of differences points at.</p>
${pairs}
</section>
<section id="differences"><h2>Differences</h2>
<p>The article's closing table: every difference between the two frameworks it met, with the lines of the
programs above that show it.</p>
${differencesTable(run, sources)}
</section>
</main>
<footer><p>Generated by <code>duograd article</code>.</p></footer>
</body>
</html>
`;
}

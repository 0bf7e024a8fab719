/**
 * A small TypeScript highlighter for the report's listings: comments, strings, keywords and
 * numbers get a class each. Returns one HTML fragment per source line, so a token that spans
 * lines (a block comment) is closed and reopened at each line break.
 */

const TOKEN =
  /\/\*[\s\S]*?\*\/|\/\/[^\n]*|`(?:\\[\s\S]|[^`\\])*`|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|\b(?:import|export|from|const|let|var|function|class|extends|return|for|if|else|new|async|await|type|interface|of|in|this|null|undefined|true|false|throw)\b|\b\d+(?:\.\d+)?(?:e[+-]?\d+)?\b/g;

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

function tokenClass(tok: string): string {
  if (tok.startsWith("/")) return "tok-comment";
  if (tok[0] === "`" || tok[0] === '"' || tok[0] === "'") return "tok-string";
  if (/^\d/.test(tok)) return "tok-number";
  return "tok-keyword";
}

/**
 * The lines of `source` as HTML, highlighted.
 * @example highlightLines("const a = 1; // one") // ['<span class="tok-keyword">const</span> a = ...']
 */
export function highlightLines(source: string): string[] {
  const lines: string[] = [""];
  const emit = (text: string, cls?: string) => {
    const parts = text.split(/\r?\n/);
    parts.forEach((part, i) => {
      if (i > 0) lines.push("");
      if (part === "") return;
      const html = escapeHtml(part);
      lines[lines.length - 1] += cls === undefined ? html : `<span class="${cls}">${html}</span>`;
    });
  };
  let last = 0;
  for (const m of source.matchAll(TOKEN)) {
    emit(source.slice(last, m.index));
    emit(m[0], tokenClass(m[0]));
    last = m.index + m[0].length;
  }
  emit(source.slice(last));
  // A trailing newline ends the last line rather than starting an empty one.
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

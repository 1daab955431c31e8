// Markdown table rendering.

/**
 * Renders a markdown table. `columns` = [{ title, align?: "left" | "right" }], `rows` = arrays of
 * cells (already formatted strings or numbers).
 */
export function markdownTable(columns, rows) {
  const head = `| ${columns.map((c) => c.title).join(" | ")} |`;
  const rule = `|${columns.map((c) => (c.align === "left" ? "---" : "---:")).join("|")}|`;
  const body = rows.map((row) => `| ${row.map((cell) => String(cell)).join(" | ")} |`);
  return [head, rule, ...body].join("\n");
}

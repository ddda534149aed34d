/** One alerting rule of a rule file: its name, its PromQL, and the file's lines that make it up. */
export interface AlertRule {
  alert: string;
  expr: string;
  /** The rule's text from `- alert:` to its last line, so a test can take it out or change it. */
  text: string;
}

/**
 * The alerting rules of a Prometheus rule file laid out as grafana/alerts.yml is: each rule opens
 * with `- alert: Name` and has one `expr:`, inline or as a block scalar (`|`, `>-`). Not a YAML
 * parser (the project has none): it throws on a rule it cannot read, and the tests hold its count
 * against the one promtool reports.
 */
export function alertRulesIn(file: string): AlertRule[] {
  const lines = file.split('\n');
  const starts = lines.flatMap((line, i) => (/^\s*- alert: \S+\s*$/.test(line) ? [i] : []));
  return starts.map((start, n) => {
    let end = n + 1 < starts.length ? starts[n + 1]! : lines.length;
    // Blank lines and the next rule's comments belong to no rule.
    while (end > start + 1 && /^\s*(#.*)?$/.test(lines[end - 1]!)) end--;
    const ruleLines = lines.slice(start, end);
    const alert = ruleLines[0]!.trim().slice('- alert: '.length);
    return { alert, expr: exprOf(alert, ruleLines), text: ruleLines.join('\n') };
  });
}

function exprOf(alert: string, ruleLines: string[]): string {
  const at = ruleLines.flatMap((line, i) => (/^\s*expr:/.test(line) ? [i] : []));
  if (at.length !== 1) throw new Error(`rule ${alert}: ${at.length} expr keys`);
  const [, indent, value] = /^(\s*)expr:\s*(.*)$/.exec(ruleLines[at[0]!]!)!;
  if (/^["']/.test(value!)) throw new Error(`rule ${alert}: a quoted expr is not read here; use a block scalar`);
  if (!/^[|>][-+]?$/.test(value!)) return value!.trim();
  const body: string[] = [];
  for (const line of ruleLines.slice(at[0]! + 1)) {
    if (line.trim() !== '' && line.length - line.trimStart().length <= indent!.length) break;
    body.push(line.trim());
  }
  const expr = body.join('\n').trim();
  if (expr === '') throw new Error(`rule ${alert}: empty expr`);
  return expr;
}

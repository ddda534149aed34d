/**
 * The metric names a PromQL expression reads. Not a full parser: it removes what can hold
 * identifiers that are not metrics (strings, label matchers, grouping clauses, ranges), then keeps
 * the identifiers that are neither functions, aggregations nor keywords. Throws on what it cannot
 * read, so a dashboard query it does not understand fails the test instead of passing unchecked.
 */
export function metricNamesIn(expr: string): string[] {
  let rest = substituteGrafanaVariables(expr);
  rest = rest.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  rest = rest.replace(/\{[^{}]*\}/g, ' ');
  rest = rest.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)/g, ' ');
  rest = rest.replace(/\[[^\][]*\]/g, ' ');
  rest = rest.replace(/\boffset\s+-?\d+[smhdwy]/g, ' ');
  if (/[{}[\]"']/.test(rest.replace(/""/g, ''))) throw new Error(`cannot read PromQL: ${expr}`);
  const names: string[] = [];
  for (const match of rest.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const word = match[0];
    const after = rest.slice(match.index! + word.length).trimStart();
    if (after.startsWith('(')) {
      if (!FUNCTIONS.has(word)) throw new Error(`unknown PromQL function ${word} in ${expr}`);
      continue;
    }
    if (KEYWORDS.has(word.toLowerCase())) continue;
    names.push(word);
  }
  return names;
}

/** Grafana's variables, replaced by values Prometheus accepts. */
export function substituteGrafanaVariables(expr: string): string {
  return expr
    .replace(/\$__(rate_interval|interval|range)\b/g, '1m')
    .replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, '.*');
}

const AGGREGATIONS = ['sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile'];
const FUNCTIONS = new Set([
  ...AGGREGATIONS,
  'abs', 'absent', 'absent_over_time', 'ceil', 'changes', 'clamp', 'clamp_max', 'clamp_min', 'day_of_month', 'day_of_week',
  'delta', 'deriv', 'exp', 'floor', 'histogram_quantile', 'holt_winters', 'hour', 'idelta', 'increase', 'irate',
  'label_join', 'label_replace', 'ln', 'log2', 'log10', 'minute', 'month', 'predict_linear', 'rate', 'resets', 'round',
  'scalar', 'sgn', 'sort', 'sort_desc', 'sqrt', 'time', 'timestamp', 'vector', 'year',
  'avg_over_time', 'min_over_time', 'max_over_time', 'sum_over_time', 'count_over_time', 'quantile_over_time',
  'stddev_over_time', 'stdvar_over_time', 'last_over_time', 'present_over_time',
  // `on(...)`-style words left in place when they carry no parentheses are keywords below.
]);
const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'inf', 'nan']);

/** One sample of the Prometheus text exposition format. */
export interface PrometheusSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;

function parseValue(raw: string, lineNo: number): number {
  if (raw === '+Inf' || raw === 'Inf') return Number.POSITIVE_INFINITY;
  if (raw === '-Inf') return Number.NEGATIVE_INFINITY;
  if (raw === 'NaN') return Number.NaN;
  const value = Number(raw);
  if (raw === '' || Number.isNaN(value)) throw new SyntaxError(`metrics line ${lineNo}: bad value "${raw}"`);
  return value;
}

// Parses `{a="x",b="y"}` starting at `i` (the `{`); returns labels and the index after `}`.
function parseLabels(line: string, start: number, lineNo: number): [Record<string, string>, number] {
  const labels: Record<string, string> = {};
  let i = start + 1;
  const fail = (what: string): never => {
    throw new SyntaxError(`metrics line ${lineNo}: ${what} at column ${i + 1}`);
  };
  for (;;) {
    while (line[i] === ' ' || line[i] === ',') i++;
    if (line[i] === '}') return [labels, i + 1];
    const name = NAME.exec(line.slice(i))?.[0];
    if (!name) fail('expected a label name');
    i += name!.length;
    while (line[i] === ' ') i++;
    if (line[i] !== '=') fail('expected "="');
    i++;
    while (line[i] === ' ') i++;
    if (line[i] !== '"') fail('expected a quoted label value');
    i++;
    let value = '';
    for (;;) {
      const ch = line[i];
      if (ch === undefined) fail('unterminated label value');
      if (ch === '"') break;
      if (ch === '\\') {
        const next = line[i + 1];
        value += next === 'n' ? '\n' : (next ?? '');
        i += 2;
        continue;
      }
      value += ch;
      i++;
    }
    labels[name!] = value;
    i++;
  }
}

/**
 * Parses the Prometheus text exposition format (what vLLM's `/metrics` serves): comments and
 * blank lines skipped, label values unescaped, `NaN`/`±Inf` accepted, timestamps ignored.
 * Throws a SyntaxError naming the line for anything else — a garbled scrape must not read as
 * "zero load". Written by hand: the one npm parser is untyped and unmaintained, and we need
 * three gauges.
 */
export function parsePrometheusText(text: string): PrometheusSample[] {
  const samples: PrometheusSample[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const name = NAME.exec(line)?.[0];
    if (!name) throw new SyntaxError(`metrics line ${n + 1}: expected a metric name`);
    let i = name.length;
    let labels: Record<string, string> = {};
    if (line[i] === '{') [labels, i] = parseLabels(line, i, n + 1);
    const rest = line.slice(i).trim().split(/\s+/);
    if (rest.length < 1 || rest.length > 2 || rest[0] === '') throw new SyntaxError(`metrics line ${n + 1}: expected "<value> [timestamp]"`);
    samples.push({ name, labels, value: parseValue(rest[0]!, n + 1) });
  }
  return samples;
}

/** Sum of every sample of a metric (across label sets), or undefined when it is absent. */
export function sumMetric(samples: readonly PrometheusSample[], name: string): number | undefined {
  let sum: number | undefined;
  for (const s of samples) if (s.name === name && Number.isFinite(s.value)) sum = (sum ?? 0) + s.value;
  return sum;
}

/** Largest sample of a metric, or undefined when it is absent. */
export function maxMetric(samples: readonly PrometheusSample[], name: string): number | undefined {
  let max: number | undefined;
  for (const s of samples) if (s.name === name && Number.isFinite(s.value)) max = Math.max(max ?? s.value, s.value);
  return max;
}

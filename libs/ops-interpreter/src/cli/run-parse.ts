import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { interpretCommand, interpretationLine } from '../interpret-command.ts';
import { isKnownTimeZone } from '../slots/calendar-date.ts';
import { parseFlags, type CliIo } from './cli-io.ts';

/**
 * `ops parse --now ISO8601 --in FILE.jsonl`: reads `{"id","text"}` lines and writes exactly one
 * `{"id","intent","args"}` line per input line, in order. A line that is not valid JSON, lacks a
 * string `text` or holds refused text answers intent `none` (with its id when it had one) and a
 * note on stderr — the output stays aligned with the input. Time zone: --tz, else
 * SOPHIA_BUDGET_TIMEZONE, else UTC.
 */
export async function runParse(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseFlags(args, ['now', 'in', 'tz']);
  if (!parsed.ok) {
    io.stderr(`ops parse: ${parsed.problem}\n`);
    return 2;
  }
  const { now: nowText, in: file } = parsed.flags;
  const timeZone = parsed.flags['tz'] ?? io.env['SOPHIA_BUDGET_TIMEZONE'] ?? 'UTC';
  if (!isKnownTimeZone(timeZone)) {
    io.stderr(`ops parse: unknown time zone ${JSON.stringify(timeZone)} (--tz or SOPHIA_BUDGET_TIMEZONE)\n`);
    return 2;
  }
  const now = nowText === undefined ? new Date() : new Date(nowText);
  if (Number.isNaN(now.getTime())) {
    io.stderr(`ops parse: --now must be an ISO 8601 time, got ${JSON.stringify(nowText)}\n`);
    return 2;
  }
  if (file === undefined) {
    io.stderr('ops parse: --in FILE.jsonl is required\n');
    return 2;
  }
  try {
    await access(file);
  } catch {
    io.stderr(`ops parse: cannot read --in ${file}\n`);
    return 2;
  }
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let n = 0;
  let out = '';
  for await (const raw of lines) {
    n++;
    const line = n === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (line.trim() === '') continue;
    let id: unknown = null;
    let result: { intent: string; args: Readonly<Record<string, unknown>> } = { intent: 'none', args: {} };
    try {
      const obj: unknown = JSON.parse(line);
      if (obj !== null && typeof obj === 'object' && !Array.isArray(obj)) {
        const rec = obj as Record<string, unknown>;
        id = rec['id'] ?? null;
        if (typeof rec['text'] === 'string') result = interpretationLine(interpretCommand(rec['text'], { now, timeZone }));
        else io.stderr(`ops parse: line ${n}: "text" must be a string\n`);
      } else io.stderr(`ops parse: line ${n}: expected a JSON object\n`);
    } catch {
      io.stderr(`ops parse: line ${n}: not valid JSON\n`);
    }
    out += `${JSON.stringify({ id, intent: result.intent, args: result.args })}\n`;
    if (out.length > 64 * 1024) {
      io.stdout(out);
      out = '';
    }
  }
  io.stdout(out);
  return 0;
}

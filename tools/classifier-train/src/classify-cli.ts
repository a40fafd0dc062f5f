import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createClassifier, loadDefaultModel } from '@sophia/classifier-core';
import { parseClassifyLine, type ClassifyLine } from './parse-classify-line.ts';

// `npm run -s classify -- --in FILE.jsonl` (or `--in -` for stdin). One output line per non-blank input
// line, in order: {"id","tier","score"}. A line with an id but a bad body is answered {"tier":"complex",
// "score":1} with the problem on stderr; a line without a usable id stops the run with exit 2 before any
// output. Only results go to stdout.
function usage(message: string): never {
  process.stderr.write(`classify: ${message}\nusage: classify --in FILE.jsonl | --in -\n`);
  process.exit(2);
}

let inPath: string | undefined;
try {
  inPath = parseArgs({ options: { in: { type: 'string' } } }).values.in;
} catch (error) {
  usage((error as Error).message);
}
if (inPath === undefined) usage('missing --in');

// A reader that closes early (`| head -1`) ends the run quietly instead of with an EPIPE stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const input = inPath === '-' ? process.stdin : createReadStream(inPath);
input.on('error', (error: Error) => usage(`cannot read ${inPath}: ${error.message}`));
const parsed: Array<{ lineNumber: number; line: ClassifyLine }> = [];
let lineNumber = 0;
for await (const raw of createInterface({ input, crlfDelay: Infinity })) {
  lineNumber++;
  // A UTF-8 byte-order mark (Windows editors write one) is not part of the first line's JSON.
  const text = lineNumber === 1 && raw.startsWith('\uFEFF') ? raw.slice(1) : raw;
  if (text.trim() === '') continue;
  const line = parseClassifyLine(text);
  if (line.kind === 'fatal') {
    process.stderr.write(`classify: line ${lineNumber}: ${line.problem}\n`);
    process.exit(2);
  }
  parsed.push({ lineNumber, line });
}

const classifier = createClassifier(loadDefaultModel());
const out: string[] = [];
for (const { lineNumber: n, line } of parsed) {
  if (line.kind === 'ok') {
    const result = classifier.classify(line.messages);
    out.push(JSON.stringify({ id: line.id, tier: result.tier, score: result.score }));
  } else if (line.kind === 'bad-body') {
    process.stderr.write(`classify: line ${n} (id ${JSON.stringify(line.id)}): ${line.problem}; answered tier complex, score 1\n`);
    out.push(JSON.stringify({ id: line.id, tier: 'complex', score: 1 }));
  }
  if (out.length >= 1000) {
    process.stdout.write(`${out.join('\n')}\n`);
    out.length = 0;
  }
}
if (out.length > 0) process.stdout.write(`${out.join('\n')}\n`);

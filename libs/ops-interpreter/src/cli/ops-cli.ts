// `npm run -s ops -- <command>`: the operator interpreter's command line.
//   parse --now ISO8601 --in FILE.jsonl [--tz ZONE]  one {"id","intent","args"} line per input line, in order
//   eval [--split dev|test|all] [--misses]           accuracy and latency on the labelled set
// Exit 2 on bad usage or an unreadable file (naming it); a bad input LINE still gets its output line.
import { runEval } from './run-eval.ts';
import { runParse } from './run-parse.ts';

const [command, ...rest] = process.argv.slice(2);
const io = { env: process.env, stdout: (s: string) => process.stdout.write(s), stderr: (s: string) => process.stderr.write(s) };
let code: number;
if (command === 'parse') code = await runParse(rest, io);
else if (command === 'eval') code = runEval(rest, io);
else {
  io.stderr('usage: ops parse --now ISO8601 --in FILE.jsonl [--tz ZONE] | ops eval [--split dev|test|all] [--misses]\n');
  code = 2;
}
process.exitCode = code;

import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { runBatchLine } from './batch-runner.ts';
import { checkDialect, createCatalogCache, parseTop, runLink, runValidate, UsageError } from './cli-ops.ts';

const USAGE = `usage:
  sql validate --catalog FILE [--dialect snowflake]      (one statement on stdin)
  sql link --catalog FILE --question TEXT [--top K]
  sql batch --in FILE.jsonl`;

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value.length === 0) throw new UsageError(`missing --${flag}`);
  return value;
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: {
        catalog: { type: 'string' },
        dialect: { type: 'string' },
        question: { type: 'string' },
        top: { type: 'string' },
        in: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const v = parsed.values;
  const catalogs = createCatalogCache((line) => process.stderr.write(`${line}\n`));
  switch (command) {
    case 'validate': {
      checkDialect(v.dialect);
      const index = catalogs(required(v.catalog, 'catalog'));
      const sql = readFileSync(0, 'utf8');
      process.stdout.write(`${JSON.stringify(runValidate(index, sql))}\n`);
      return;
    }
    case 'link': {
      const index = catalogs(required(v.catalog, 'catalog'));
      const question = required(v.question, 'question');
      const top = v.top === undefined ? 5 : parseTop(v.top, '--top');
      process.stdout.write(`${JSON.stringify(runLink(index, question, top))}\n`);
      return;
    }
    case 'batch': {
      const file = required(v.in, 'in');
      if (!existsSync(file)) throw new UsageError(`batch input ${file} does not exist`);
      const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
      for await (const line of lines) {
        if (line.trim().length === 0) continue;
        process.stdout.write(`${JSON.stringify(runBatchLine(line, catalogs))}\n`);
      }
      return;
    }
    default:
      throw new UsageError(command ? `unknown command ${JSON.stringify(command)}` : 'missing command');
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError) {
    process.stderr.write(`sql: ${err.message}\n${USAGE}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`sql: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  }
});

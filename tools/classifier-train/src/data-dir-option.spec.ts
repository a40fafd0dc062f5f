import { spawnSync } from 'node:child_process';
import path from 'node:path';

describe('--data for train, eval and bench', () => {
  it.each([
    ['train-cli.ts', 'routellm'],
    ['eval-cli.ts', 'routellm'],
    ['bench-cli.ts', 'arena-hard/question.jsonl'],
  ])('%s exits 2 naming the missing path and the flag', (cli, needed) => {
    const missing = path.join(__dirname, 'no-such-data-dir');
    const result = spawnSync(process.execPath, [path.join(__dirname, cli), '--data', missing], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`${path.join(missing, needed)} not found: fetch the evaluation data with \`npm run data\`, or pass --data DIR`);
  });
});

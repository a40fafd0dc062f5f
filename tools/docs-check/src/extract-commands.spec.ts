import { extractCommands } from './extract-commands.ts';

const DOC = [
  '# Title',
  '',
  '```sh',
  'npm ci && npm start    # every service in one process',
  '$ curl -s http://127.0.0.1:8080/v1/x \\',
  "  -H 'Authorization: Bearer k' \\",
  "  -d '{\"a\":\"#not a comment\"}'",
  '# a comment line',
  '```',
  '',
  '```ts',
  'npm run not-a-shell-block',
  '```',
  '',
  '| command | what |',
  '|---|---|',
  '| `npm run -s ops -- eval [--split dev\\|test]` | accuracy |',
  'Prose with `SOPHIA_X=1 npm start` and `SOPHIA_GATEWAY_PORT` and `tsc -b`.',
].join('\n');

describe('extractCommands', () => {
  it('takes shell fences line by line (continuations joined, prompts and comments dropped) and command-like inline code', () => {
    expect(extractCommands('README.md', DOC)).toEqual([
      { command: 'npm ci && npm start', file: 'README.md', line: 4 },
      { command: 'curl -s http://127.0.0.1:8080/v1/x -H \'Authorization: Bearer k\' -d \'{"a":"#not a comment"}\'', file: 'README.md', line: 5 },
      { command: 'npm run -s ops -- eval [--split dev|test]', file: 'README.md', line: 17 },
      { command: 'SOPHIA_X=1 npm start', file: 'README.md', line: 18 },
    ]);
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findDrift, loadRegistry } from './command-registry.ts';

describe('the command registry', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'sophia-docs-registry-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const write = (yaml: string): string => {
    const file = path.join(dir, 'r.yaml');
    writeFileSync(file, yaml);
    return file;
  };

  it('finds documented commands nobody registered, and entries no document shows', () => {
    const registry = loadRegistry(write('- command: "npm   start"\n  run: npm start\n- command: npm run gone\n  skip: removed\n'));
    const drift = findDrift(
      [
        { command: 'npm start', file: 'README.md', line: 1 },
        { command: 'npm run new', file: 'docs/a.md', line: 2 },
        { command: 'npm run new', file: 'docs/b.md', line: 3 },
      ],
      registry,
    );
    expect(drift.unregistered).toEqual([{ command: 'npm run new', file: 'docs/a.md', line: 2 }]);
    expect(drift.stale.map((e) => e.command)).toEqual(['npm run gone']);
  });

  it('refuses an entry that neither runs nor says why it is skipped, and a silent short form', () => {
    expect(() => loadRegistry(write('- command: npm start\n'))).toThrow(/entry 0: exactly one of run \/ skip/);
    expect(() => loadRegistry(write('- command: npm run soak\n  run: npm run soak -- --minutes 0.1\n'))).toThrow(/needs `short:` saying why/);
    expect(() => loadRegistry(write('- command: npm start\n  run: npm start\n  colour: red\n'))).toThrow(/colour/);
  });

  it('refuses a run of a .ts file with the bare system node (Node 20 cannot)', () => {
    expect(() => loadRegistry(write('- command: node tools/x.ts\n  run: node tools/x.ts\n'))).toThrow(/entry 0: runs a \.ts file with the bare system `node`/);
    expect(() => loadRegistry(write('- command: npm run -s node24 -- tools/x.ts\n  run: npm run -s node24 -- tools/x.ts\n'))).not.toThrow();
  });

  it('refuses a command registered twice, and a full-data form without the data it needs', () => {
    expect(() => loadRegistry(write('- command: npm start\n  run: npm start\n- command: "npm  start"\n  skip: again\n'))).toThrow(/entry 1: npm {2}start is registered twice \(also entry 0\)/);
    expect(() => loadRegistry(write('- command: npm run measure\n  run: npm run measure\n  full:\n    run: npm run measure\n    expect: x\n'))).toThrow(/entry 0\.full\.needs/);
  });
});

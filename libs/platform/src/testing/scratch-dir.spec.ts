import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from './scratch-dir.ts';

let kept: string;

describe('scratchDir', () => {
  it('makes a fresh folder per call', () => {
    kept = scratchDir('scratch-test-');
    writeFileSync(join(kept, 'f.txt'), 'x');
    expect(existsSync(kept)).toBe(true);
    expect(scratchDir('scratch-test-')).not.toBe(kept);
  });
});

// Declared after the module's own afterAll, so it runs after the removal (jest runs afterAll hooks in order).
afterAll(() => {
  if (existsSync(kept)) throw new Error(`${kept} was not removed`);
});

import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { prepareDataDir } from './data-dir.ts';
import { tempDataDir } from './testing/index.ts';

describe('prepareDataDir', () => {
  let temp: ReturnType<typeof tempDataDir>;
  beforeEach(() => {
    temp = tempDataDir();
  });
  afterEach(() => temp.remove());

  it('returns an existing, writable directory as an absolute path', () => {
    expect(prepareDataDir(temp.dir)).toBe(temp.dir);
  });

  it('refuses an explicitly named directory that does not exist (a typo must not start an empty store)', () => {
    const missing = join(temp.dir, 'nope');
    expect(() => prepareDataDir(missing)).toThrow(`SOPHIA_DATA_DIR ${missing}: does not exist`);
    expect(existsSync(missing)).toBe(false);
  });

  it('refuses a path that is a file', () => {
    const file = join(temp.dir, 'file');
    writeFileSync(file, 'x');
    expect(() => prepareDataDir(file)).toThrow(expect.objectContaining({ code: 'data_dir_unusable', message: `SOPHIA_DATA_DIR ${file}: is not a directory` }));
  });

  it('creates the default ./data when missing', () => {
    const cwd = process.cwd();
    process.chdir(temp.dir);
    try {
      expect(prepareDataDir(undefined)).toBe(join(temp.dir, 'data'));
      expect(existsSync(join(temp.dir, 'data'))).toBe(true);
    } finally {
      process.chdir(cwd);
    }
  });
});

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError, configValues, loadConfig } from './config-loader.ts';
import { scratchDir } from './testing/scratch-dir.ts';

const schema = z.object({
  SOPHIA_X_PORT: configValues.port(7000),
  SOPHIA_X_URL: configValues.url().optional(),
  SOPHIA_X_URLS: configValues.list().default([]),
  SOPHIA_X_FLAG: configValues.flag(false),
});

describe('loadConfig', () => {
  it('applies defaults, then file, then environment', () => {
    const dir = scratchDir('cfg-');
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'SOPHIA_X_PORT: 7100\nSOPHIA_X_FLAG: true\n');
    const cfg = loadConfig(schema, { env: { SOPHIA_CONFIG: file, SOPHIA_X_PORT: '7200', SOPHIA_X_URLS: 'http://a:1, http://b:2,' } });
    expect(cfg).toEqual({ SOPHIA_X_PORT: 7200, SOPHIA_X_FLAG: true, SOPHIA_X_URLS: ['http://a:1', 'http://b:2'] });
    expect(loadConfig(schema, { env: {} }).SOPHIA_X_PORT).toBe(7000);
  });

  it('lists every bad key at once', () => {
    let err: unknown;
    try {
      loadConfig(schema, { env: { SOPHIA_X_PORT: '99999', SOPHIA_X_URL: 'ftp://nope', SOPHIA_X_FLAG: 'maybe' } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join('\n');
    expect(problems).toMatch(/SOPHIA_X_PORT/);
    expect(problems).toMatch(/SOPHIA_X_URL/);
    expect(problems).toMatch(/SOPHIA_X_FLAG/);
  });

  it('rejects unknown SOPHIA_ keys in a file and unreadable files', () => {
    const dir = scratchDir('cfg-');
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ SOPHIA_X_PROT: 1 }));
    expect(() => loadConfig(schema, { env: {}, filePath: file })).toThrow(/SOPHIA_X_PROT: unknown key/);
    expect(() => loadConfig(schema, { env: { SOPHIA_CONFIG: join(dir, 'missing.yaml') } })).toThrow(/cannot read/);
  });
});

import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiKeySource, parseApiKeysFile } from './api-key-source.ts';

const until = async (check: () => boolean): Promise<void> => {
  while (!check()) await new Promise((r) => setTimeout(r, 20));
};

describe('API keys from SOPHIA_API_KEYS_FILE (real files)', () => {
  let dir: string;
  const errors: string[] = [];
  const logger = { info: () => undefined, error: (d: object) => void errors.push(JSON.stringify(d)) };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'api-keys-'));
    errors.length = 0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('parses one entry per line or comma-separated, with comments', () => {
    expect(parseApiKeysFile('# rotation of 2026-12\nkey-a:acme\nkey-b:acme:chat+ops:read, key-c:globex\n', 'keys')).toEqual([
      { key: 'key-a', tenant: 'acme' },
      { key: 'key-b', tenant: 'acme', scopes: ['chat', 'ops:read'] },
      { key: 'key-c', tenant: 'globex' },
    ]);
  });

  it('rotates without a restart: old and new key both valid during the overlap, the old one refused once removed', async () => {
    const file = join(dir, 'keys');
    writeFileSync(file, 'old-key-1234:acme\n');
    const source = createApiKeySource({ fixed: [{ key: 'fixed-key-99', tenant: 'ops' }], file, logger });
    try {
      expect(source.auth.tenantFor('old-key-1234')).toBe('acme');
      expect(source.auth.tenantFor('fixed-key-99')).toBe('ops');
      // Kubernetes and editors replace the file by a rename.
      writeFileSync(join(dir, 'keys.next'), 'old-key-1234:acme\nnew-key-5678:acme\n');
      renameSync(join(dir, 'keys.next'), file);
      await until(() => source.auth.tenantFor('new-key-5678') === 'acme');
      expect(source.auth.tenantFor('old-key-1234')).toBe('acme');
      writeFileSync(file, 'new-key-5678:acme\n');
      await until(() => source.auth.tenantFor('old-key-1234') === undefined);
      expect(source.auth.tenantFor('new-key-5678')).toBe('acme');
      expect(source.auth.tenantFor('fixed-key-99')).toBe('ops');
    } finally {
      source.close();
    }
  });

  it('keeps the last valid keys when a new version is broken, and logs why without any key', async () => {
    const file = join(dir, 'keys');
    writeFileSync(file, 'good-key-1234:acme\n');
    const source = createApiKeySource({ fixed: [], file, logger });
    try {
      writeFileSync(file, 'good-key-1234:acme\nsecret-half-written-key\n');
      await until(() => errors.length > 0);
      expect(source.auth.tenantFor('good-key-1234')).toBe('acme');
      expect(errors.join('\n')).toMatch(/entry 2/);
      expect(errors.join('\n')).not.toMatch(/secret-half-written-key|good-key-1234/);
    } finally {
      source.close();
    }
  });

  it('fails at start on a missing or invalid file', () => {
    expect(() => createApiKeySource({ fixed: [], file: join(dir, 'absent'), logger })).toThrow(/ENOENT/);
    writeFileSync(join(dir, 'bad'), 'no-tenant\n');
    expect(() => createApiKeySource({ fixed: [], file: join(dir, 'bad'), logger })).toThrow(/entry 1/);
  });
});

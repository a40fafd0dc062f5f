import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '@sophia/platform';
import { testCatalog } from '@sophia/price-catalog/testing';
import { serverlessConfigSchema, serverlessDepsFromConfig } from '../serverless-config.ts';

const parse = (env: Record<string, string>) => serverlessDepsFromConfig(loadConfig(serverlessConfigSchema, { env }), env, testCatalog());

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    parse(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('SOPHIA_SERVERLESS_PROVIDERS', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'providers-spec-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('resolves names to the catalog’s base URLs, name=URL overrides, keys from the env or a secret file, and per-provider limits', () => {
    const keyFile = join(dir, 'fireworks.key');
    writeFileSync(keyFile, 'fw-secret\n');
    const { deps } = parse({
      SOPHIA_SERVERLESS_PROVIDERS: 'together, fireworks=http://127.0.0.1:9999/v1',
      SOPHIA_SERVERLESS_API_KEY_TOGETHER: 'tg-key',
      SOPHIA_SERVERLESS_API_KEY_FIREWORKS_FILE: keyFile,
      SOPHIA_SERVERLESS_MAX_INFLIGHT_FIREWORKS: '8',
      SOPHIA_SERVERLESS_QUEUE_LIMIT: '4',
    });
    expect(deps.providers).toEqual([
      { name: 'together', baseUrl: 'https://api.together.xyz/v1', apiKey: 'tg-key', http2: false, connections: 1024, maxInFlight: 1024, queueLimit: 4 },
      { name: 'fireworks', baseUrl: 'http://127.0.0.1:9999/v1', apiKey: 'fw-secret', http2: true, connections: 1024, maxInFlight: 8, queueLimit: 4 },
    ]);
  });

  it('a loopback provider (a local simulator) needs no key', () => {
    expect(parse({ SOPHIA_SERVERLESS_PROVIDERS: 'together=http://127.0.0.1:1/v1' }).deps.providers?.[0]?.apiKey).toBeUndefined();
  });

  it('names every bad entry and key at once', () => {
    const problems = problemsOf({
      SOPHIA_SERVERLESS_PROVIDERS: 'nope, together, fireworks=ftp://x/v1, together',
      SOPHIA_SERVERLESS_MAX_INFLIGHT_TOGETHER: 'lots',
      SOPHIA_SERVERLESS_API_KEY_FIREWORKS_FILE: join(dir, 'missing.key'),
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/"nope": unknown provider "nope" \(the catalog knows: together, fireworks\)/),
        expect.stringContaining('SOPHIA_SERVERLESS_API_KEY_TOGETHER: required for provider "together"'),
        expect.stringContaining('SOPHIA_SERVERLESS_MAX_INFLIGHT_TOGETHER: expected a non-negative integer, got "lots"'),
        expect.stringContaining('"fireworks=ftp://x/v1": base URL must be http or https, got "ftp"'),
        expect.stringContaining('provider "together" is listed twice'),
      ]),
    );
  });

  it('refuses to mix it with the one-provider keys', () => {
    expect(problemsOf({ SOPHIA_SERVERLESS_PROVIDERS: 'together=http://127.0.0.1:1', SOPHIA_SERVERLESS_BASE_URL: 'http://127.0.0.1:2' })).toEqual([
      expect.stringContaining('SOPHIA_SERVERLESS_BASE_URL: not allowed with SOPHIA_SERVERLESS_PROVIDERS'),
    ]);
  });
});

import { ConfigError, loadConfig } from '@sophia/platform';
import { gatewayConfigSchema } from './gateway-config.ts';

const load = (env: Record<string, string>) => loadConfig(gatewayConfigSchema, { env });
const problems = (env: Record<string, string>): string[] => {
  try {
    load(env);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
};

describe('gatewayConfigSchema', () => {
  it('applies defaults and parses keys', () => {
    const cfg = load({ SOPHIA_API_KEYS: 'sk-1:acme', SOPHIA_BIND_HOST: '0.0.0.0' });
    expect(cfg).toMatchObject({
      SOPHIA_GATEWAY_MAX_BODY_BYTES: 1024 * 1024,
      SOPHIA_GATEWAY_REQUEST_TIMEOUT_MS: 120_000,
      SOPHIA_API_KEYS: [{ key: 'sk-1', tenant: 'acme' }],
    });
  });
  it('allows local mode (no keys) on 127.0.0.1 only', () => {
    expect(load({}).SOPHIA_API_KEYS).toBeUndefined();
    expect(problems({ SOPHIA_BIND_HOST: '0.0.0.0' })).toEqual([expect.stringMatching(/^SOPHIA_BIND_HOST: refusing to bind 0\.0\.0\.0 without SOPHIA_API_KEYS/)]);
  });
  it('names every bad key', () => {
    const found = problems({ SOPHIA_GATEWAY_REQUEST_TIMEOUT_MS: 'soon', SOPHIA_API_KEYS: 'nocolon', SOPHIA_GATEWAY_MAX_BODY_BYTES: '-1' });
    for (const key of ['SOPHIA_GATEWAY_REQUEST_TIMEOUT_MS', 'SOPHIA_API_KEYS', 'SOPHIA_GATEWAY_MAX_BODY_BYTES']) {
      expect(found.some((p) => p.startsWith(`${key}:`))).toBe(true);
    }
  });
});

import { ConfigError, loadConfig } from '@sophia/platform';
import { serverlessConfigSchema, serverlessDepsFromConfig } from './serverless-config.ts';

const parse = (env: Record<string, string>) => serverlessDepsFromConfig(loadConfig(serverlessConfigSchema, { env }));

describe('serverless config', () => {
  it('builds deps from a base URL, key, model map and timeouts', () => {
    const { deps, warnings } = parse({
      SOPHIA_SERVERLESS_BASE_URL: 'https://api.together.xyz/v1',
      SOPHIA_SERVERLESS_API_KEY: 'k',
      SOPHIA_SERVERLESS_MODEL_MAP: 'meta-llama/Llama-3.1-8B-Instruct=meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo',
      SOPHIA_SERVERLESS_FIRST_TOKEN_TIMEOUT_MS: '1500',
    });
    expect(warnings).toEqual([]);
    expect(deps).toMatchObject({ baseUrl: 'https://api.together.xyz/v1', apiKey: 'k', timeouts: { firstTokenMs: 1500, connectMs: 2000 } });
    expect(deps.modelMap?.('meta-llama/Llama-3.1-8B-Instruct')).toBe('meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo');
    expect(deps.modelMap?.('other')).toBe('other');
  });

  it('resolves a preset and warns about the deprecated lambda one', () => {
    expect(parse({ SOPHIA_SERVERLESS_PROVIDER: 'groq' }).deps).toMatchObject({ baseUrl: 'https://api.groq.com/openai/v1', providerName: 'groq' });
    const lambda = parse({ SOPHIA_SERVERLESS_PROVIDER: 'lambda' });
    expect(lambda.deps.baseUrl).toBe('https://api.lambda.ai/v1');
    expect(lambda.warnings[0]).toContain('deprecated');
  });

  it('names every bad key', () => {
    expect(() => parse({ SOPHIA_SERVERLESS_PROVIDER: 'nope', SOPHIA_SERVERLESS_MODEL_MAP: 'a=b,c', SOPHIA_SERVERLESS_STALL_TIMEOUT_MS: '-1' })).toThrow(
      expect.objectContaining({
        problems: [
          expect.stringContaining('SOPHIA_SERVERLESS_PROVIDER: expected one of together'),
          expect.stringContaining('SOPHIA_SERVERLESS_MODEL_MAP: expected "catalogId=providerId'),
          expect.stringContaining('SOPHIA_SERVERLESS_STALL_TIMEOUT_MS'),
        ],
      }),
    );
    expect(() => parse({})).toThrow(ConfigError);
    expect(() => parse({})).toThrow('SOPHIA_SERVERLESS_BASE_URL: required');
  });
});

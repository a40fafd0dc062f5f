import { parseCliOptions } from './cli-options.ts';

describe('parseCliOptions', () => {
  it('reads every flag', () => {
    const result = parseCliOptions(
      ['--persona', 'vllm', '--port', '0', '--ttft-ms', '20', '--inter-token-ms', '5', '--models', 'a, b', '--fault', 'status:code=503', '--api-key', 'k', '--max-concurrency', '2', '--default-output-tokens', '10', '--host', '0.0.0.0', '--seed', '4', '--kv-cache-tokens', '100'],
      {},
    );
    expect(result).toEqual({
      ok: true,
      options: {
        persona: 'vllm',
        port: 0,
        ttftMs: 20,
        interTokenMs: 5,
        models: ['a', 'b'],
        fault: { kind: 'status', code: 503 },
        apiKey: 'k',
        maxConcurrency: 2,
        defaultOutputTokens: 10,
        host: '0.0.0.0',
        seed: 4,
        kvCacheTokens: 100,
      },
    });
  });

  it('falls back to SIM_* variables, flags winning', () => {
    expect(parseCliOptions(['--ttft-ms', '1'], { SIM_PERSONA: 'serverless', SIM_TTFT_MS: '9', SIM_INTER_TOKEN_MS: '3' })).toEqual({
      ok: true,
      options: { persona: 'serverless', ttftMs: 1, interTokenMs: 3 },
    });
  });

  it.each([
    [['--persona', 'vllm', '--bogus', '1'], '--bogus'],
    [[], '--persona'],
    [['--persona', 'tgi'], '--persona'],
    [['--persona', 'vllm', '--port', 'x'], '--port'],
    [['--persona', 'vllm', '--port', '70000'], '--port'],
    [['--persona', 'vllm', '--ttft-ms', '-1'], '--ttft-ms'],
    [['--persona', 'vllm', '--max-concurrency', '0'], '--max-concurrency'],
    [['--persona', 'vllm', '--models', ','], '--models'],
    [['--persona', 'vllm', '--fault', 'explode'], '--fault'],
  ])('rejects %j naming %s', (argv, flag) => {
    const result = parseCliOptions(argv, {});
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(flag);
  });

  it('names the variable when the bad value came from the environment', () => {
    const result = parseCliOptions([], { SIM_PERSONA: 'vllm', SIM_PORT: 'abc' });
    expect(result).toEqual({ ok: false, message: 'SIM_PORT must be a non-negative integer, got "abc"' });
  });

  it('recognises --help', () => {
    expect(parseCliOptions(['--help'], {})).toEqual({ ok: true, help: true });
  });
});

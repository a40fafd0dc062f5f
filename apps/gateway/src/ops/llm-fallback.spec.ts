import { Code, ConnectError, createClient, createRouterTransport } from '@connectrpc/connect';
import { LedgerService } from '@sophia/contracts/ledger';
import { RouterService } from '@sophia/contracts/router';
import { PlanStatus } from '@sophia/contracts/ops';
import { pino } from 'pino';
import type { Caller, Scope } from '../api-key-scopes.ts';
import { createLlmFallback, fallbackInstructions, parseToolCall, type LlmFallback } from './llm-fallback.ts';
import { operatorUnderTest } from './operator-under-test.ts';

const NOW = new Date('2026-12-09T10:00:00Z');
const logger = pino({ level: 'silent' });
const caller = (...scopes: Scope[]): Caller => ({ tenant: 'acme', scopes: new Set(scopes), keyId: 'k-acme' });

describe('parseToolCall: only a validated command comes out', () => {
  it.each([
    ['{"tool":"route.next","arguments":{"n":10,"backend":"gpu"}}', { intent: 'route.next', args: { n: 10, backend: 'gpu' } }],
    ['Sure! {"tool": "overrides.clear", "arguments": {"id": "ov-}{1"}} (and {not this})', { intent: 'overrides.clear', args: { id: 'ov-}{1' } }],
    ['```json\n{"tool":"overrides.list"}\n```', { intent: 'overrides.list', args: {} }],
  ])('%s', (answer, expected) => {
    expect(parseToolCall(answer, NOW, 'UTC')).toEqual(expected);
  });

  it.each([
    ['prose', 'I think you want to route some traffic.'],
    ['none', '{"tool":"none"}'],
    ['an unknown tool', '{"tool":"rm -rf","arguments":{}}'],
    ['a bad argument', '{"tool":"route.next","arguments":{"n":0,"backend":"gpu"}}'],
    ['an extra argument', '{"tool":"budget.set","arguments":{"amount_usd":5,"sql":"drop table"}}'],
    ['a negative amount', '{"tool":"budget.set","arguments":{"amount_usd":-5}}'],
    ['a period in the future', '{"tool":"usage.report","arguments":{"from":"2027-01-01","to":"2027-02-01"}}'],
    ['broken JSON', '{"tool":"route.next","arguments":{"n":10'],
  ])('refuses %s', (_, answer) => {
    expect(parseToolCall(answer, NOW, 'UTC')).toBeUndefined();
  });

  it('tells the model every tool with its schema and today in the budget zone', () => {
    const text = fallbackInstructions('2026-12-09', 'Europe/Paris');
    expect(text).toContain('Today is 2026-12-09 (time zone Europe/Paris)');
    expect(text).toContain('- gpu.terminate: {');
    expect(text).toContain('"serverless_percent"');
  });
});

describe('createLlmFallback through the router', () => {
  const routerAnswering = (answer: string | Error) =>
    createClient(
      RouterService,
      createRouterTransport(({ service }) => {
        service(RouterService, {
          async *generate(req) {
            expect(req.input?.workloadTag).toBe('ops-interpreter');
            expect(req.input?.tenant).toBe('acme');
            if (answer instanceof Error) throw new ConnectError(answer.message, Code.Unavailable);
            for (const piece of answer.match(/.{1,7}/gs) ?? []) yield { event: { case: 'delta', value: piece } };
          },
        });
      }),
    );
  const fallback = (answer: string | Error) => createLlmFallback({ router: routerAnswering(answer), model: 'auto', timeZone: 'UTC', timeoutMs: 1000, logger, now: () => NOW.getTime() });

  it('assembles the streamed answer and validates it', async () => {
    expect(await fallback('{"tool":"breakers.show","arguments":{"backend":"gpu"}}').read('are the gpus ok-ish', 'acme')).toEqual({ intent: 'breakers.show', args: { backend: 'gpu' } });
  });

  it('a simulator-like prose answer or a failing router answers undefined (the rules stand)', async () => {
    expect(await fallback('[simulated serverless auto] Re: are the gpus ok-ish.').read('are the gpus ok-ish', 'acme')).toBeUndefined();
    expect(await fallback(new Error('router down')).read('are the gpus ok-ish', 'acme')).toBeUndefined();
  });
});

describe('the operator with a fallback: readings are confirmed, never run', () => {
  function setup(guess: LlmFallback['read']) {
    const asked: string[] = [];
    const overrides: unknown[] = [];
    const transport = createRouterTransport(({ service }) => {
      service(RouterService, { setOverride: (req) => (overrides.push(req.override), { override: req.override! }) });
      service(LedgerService, { getUsageReport: () => ({ rows: [] }) });
    });
    const { operator, close } = operatorUnderTest(transport, () => NOW.getTime(), { llmFallback: { read: (text: string, tenant: string) => (asked.push(text), guess(text, tenant)) } });
    return { operator, asked, overrides, close };
  }

  it('a change the LLM read becomes a pending plan (nothing changed); the rules answer without asking it', async () => {
    const t = setup(async () => ({ intent: 'route.next', args: { n: 3, backend: 'gpu' } }));
    const got = await t.operator.runText(caller('ops:write'), 'gimme the beefy boxes for a trio of asks');
    expect(got.reader).toBe('llm');
    expect(got.outcome.case).toBe('plan');
    expect(got.outcome.case === 'plan' && got.outcome.value.status).toBe(PlanStatus.PENDING);
    expect(t.overrides).toEqual([]);
    const ruled = await t.operator.runText(caller('ops:write'), 'route next 10 queries to gpu');
    expect(ruled.reader).toBe('rules');
    expect(t.asked).toEqual(['gimme the beefy boxes for a trio of asks']);
    t.close();
  });

  it('a read the LLM read is a clarification to run; a write needs ops:write as always', async () => {
    const t = setup(async () => ({ intent: 'usage.report', args: {} }));
    const got = await t.operator.runText(caller('ops:read'), 'how are we doing money-wise');
    expect(got).toMatchObject({ reader: 'llm', outcome: { case: 'clarification' } });
    const w = setup(async () => ({ intent: 'overrides.clear', args: {} }));
    await expect(w.operator.runText(caller('ops:read'), 'make the routing boring again')).rejects.toThrow(/lacks scope ops:write/);
    t.close();
    w.close();
  });

  it('when the LLM has nothing, the rules answer stands (not a command)', async () => {
    const t = setup(async () => undefined);
    expect(await t.operator.runText(caller('ops:read'), 'Write a haiku about GPUs')).toMatchObject({ reader: 'rules', outcome: { case: 'notACommand' } });
    t.close();
  });
});

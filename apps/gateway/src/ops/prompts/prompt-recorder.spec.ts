import { createClient, createRouterTransport } from '@connectrpc/connect';
import { Backend, Role } from '@sophia/contracts/common';
import { LedgerService } from '@sophia/contracts/ledger';
import { RouterService } from '@sophia/contracts/router';
import { memoryStateDatabase } from '@sophia/state-store/testing';
import { pino } from 'pino';
import { operatorUnderTest } from '../operator-under-test.ts';
import { createPromptRecorder } from './prompt-recorder.ts';
import { createSqlitePromptRepeatStore, PROMPT_REPEAT_STORE_SCHEMA } from './sqlite-prompt-repeat-store.ts';

const T0 = Date.UTC(2026, 11, 9, 10);
const logger = pino({ level: 'silent' });

/** A router that answers every generate with a done event costing 2,000 micro-dollars. */
const transport = createRouterTransport(({ service }) => {
  service(RouterService, {
    async *generate() {
      yield { event: { case: 'delta', value: 'ok' } };
      yield { event: { case: 'done', value: { finishReason: 'stop', decision: { backend: Backend.SERVERLESS, cost: { microUsd: 2000n } } } } };
    },
  });
  service(LedgerService, {
    getUsageReport: () => ({ rows: [{ keys: ['daily-reporting', 'simple', 'serverless'], requests: 12n, cost: { microUsd: 24_000n } }] }),
    getBreakEven: () => ({ rows: [] }),
  });
});

const ask = (content: string, workloadTag = 'daily-reporting') => ({ input: { tenant: 'acme', workloadTag, model: 'auto', messages: [{ role: Role.USER, content }] } });

describe('prompt recorder', () => {
  it('records answered requests through the wrapped router, and costs.optimize proposes caching the repeats', async () => {
    const state = memoryStateDatabase(PROMPT_REPEAT_STORE_SCHEMA);
    const store = createSqlitePromptRepeatStore(state.db);
    const recorder = createPromptRecorder(store, logger, () => T0);
    const router = recorder.wrap(createClient(RouterService, transport));
    for (let i = 0; i < 12; i++) for await (const _ of router.generate(ask('summarise yesterday for the daily report'))) void _;
    for await (const _ of router.generate(ask('a different question'))) void _;
    await recorder.close();
    expect(await store.repeats({ sinceMs: T0 - 1, untilMs: T0 + 1 })).toEqual([{ workload: 'daily-reporting', requests: 13, repeated: 11, repeatedCostMicroUsd: 22_000n }]);

    const { operator, close } = operatorUnderTest(transport, () => T0 + 1000, { prompts: store });
    const out = await operator.execute({ tenant: 'acme', scopes: new Set(['ops:write']), keyId: 'k' }, 'costs.optimize', { workload: 'daily-reporting' });
    expect(out.kind).toBe('optimization');
    if (out.kind !== 'optimization') return;
    expect(out.optimization.proposals).toEqual([expect.objectContaining({ title: 'Cache repeated prompts of workload daily-reporting', monthlySavingUsd: 0.022 })]);
    expect(out.optimization.analysis?.summary).toContain('Repeated prompts: 11 of 13 answered requests ($0.02).');
    close();
    state.close();
  });
});

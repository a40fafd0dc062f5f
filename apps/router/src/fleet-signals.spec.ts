import { Tier } from '@sophia/contracts/common';
import { loadCatalog } from '@sophia/price-catalog';
import { createFleetSignals } from './fleet-signals.ts';
import { memoryStateDatabase } from '@sophia/state-store/testing';
import { OVERRIDE_SCHEMA } from './override-schema.ts';
import { createSqliteOverrideStore } from './sqlite-override-store.ts';

describe('createFleetSignals', () => {
  it('reports tiers with a serverless breaker not closed, and every tier while a GPU override is in force', async () => {
    const state = memoryStateDatabase(OVERRIDE_SCHEMA);
    const overrides = createSqliteOverrideStore(state.db);
    const catalog = loadCatalog();
    const signals = createFleetSignals({
      catalog: () => catalog,
      breakerStates: () => ({
        'serverless:meta-llama/Llama-3.1-8B-Instruct': 'open',
        'serverless:meta-llama/Llama-3.3-70B-Instruct': 'closed',
        'serverless:meta-llama/Llama-3.1-405B-Instruct': 'half_open',
        'gpu:meta-llama/Llama-3.3-70B-Instruct': 'open',
        'serverless:unknown/model': 'open',
      }),
      overrides,
      now: () => 1000,
    });
    expect(await signals()).toEqual({ serverlessBreakersOpen: [Tier.SIMPLE, Tier.COMPLEX], gpuOverrides: [] });
    await overrides.add({ id: 'o1', kind: 'backend', scope: 'tenant', scopeValue: 'acme', backend: 'gpu', createdBy: 'op', reason: 'test', createdAt: 0 });
    expect((await signals()).gpuOverrides).toEqual([Tier.SIMPLE, Tier.BALANCED, Tier.COMPLEX]);
    state.close();
  });
});

// Real redis-server: the same contract as the SQLite store.
import { describeWithRedis } from '@sophia/platform/testing';
import { promptRepeatStoreContract } from './prompt-repeat-store-contract.ts';
import { createRedisPromptRepeatStore } from './redis-prompt-repeat-store.ts';

describeWithRedis('redis prompt repeat store', (suite) => {
  promptRepeatStoreContract((options) => createRedisPromptRepeatStore({ redis: suite.redis(), ...options }));

  it('keeps one hash field set per distinct prompt and day, however often it repeats, and deletes days past the retention', async () => {
    const store = createRedisPromptRepeatStore({ redis: suite.redis(), promptsPerDay: 100 });
    const T0 = Date.UTC(2026, 11, 9, 10);
    const batch = Array.from({ length: 2000 }, (_, i) => ({ tenant: 'acme', workload: 'w', fingerprint: `f${i % 10}`, costMicroUsd: 5n, atMs: T0 + i }));
    await store.record(batch);
    await store.record(batch.map((s, i) => ({ ...s, fingerprint: `distinct-${i}` })));
    const keys = await suite.redis().keys('*');
    expect(keys.sort()).toEqual(['{sophia:ops:prompts}:day:[20796,"acme","w"]', '{sophia:ops:prompts}:days', '{sophia:ops:prompts}:total:[20796,"acme","w"]']);
    expect(await suite.redis().hlen('{sophia:ops:prompts}:day:[20796,"acme","w"]')).toBe(3 * 100);
    await store.record([{ ...batch[0]!, atMs: T0 + 40 * 86_400_000 }]);
    expect(await suite.redis().exists('{sophia:ops:prompts}:day:[20796,"acme","w"]')).toBe(0);
  });
});

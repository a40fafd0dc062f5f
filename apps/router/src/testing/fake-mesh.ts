// Test helper: a router handler over in-memory fakes (classifier, serverless and GPU backends) that
// count the calls each backend receives.
import { createClient, createRouterTransport, type Client, type ServiceImpl } from '@connectrpc/connect';
import { ClassifierService } from '@sophia/contracts/classifier';
import { Tier } from '@sophia/contracts/common';
import { InferenceService } from '@sophia/contracts/inference';
import { RouterService } from '@sophia/contracts/router';
import { loadCatalog } from '@sophia/price-catalog';
import { pino, type Logger } from 'pino';
import type { OverrideStore } from '../override-store.ts';
import { memoryStateDatabase } from '@sophia/state-store/testing';
import { OVERRIDE_SCHEMA } from '../override-schema.ts';
import { createSqliteOverrideStore } from '../sqlite-override-store.ts';
import { createRouterHandler, type RouterDeps } from '../router-handler.ts';
import { createTargetBreakers, type TargetBreakers } from '../target-breakers.ts';

/** Call counters of a fake inference backend. */
export interface BackendCalls {
  calls: number;
}

/** A fake InferenceService that answers every Generate with one delta and a done. */
export function fakeInference(name: string): { client: Client<typeof InferenceService>; seen: BackendCalls } {
  const seen: BackendCalls = { calls: 0 };
  const impl: Partial<ServiceImpl<typeof InferenceService>> = {
    async *generate() {
      seen.calls += 1;
      yield { event: { case: 'delta', value: { text: `${name} ok` } } };
      yield { event: { case: 'done', value: { usage: { promptTokens: 5, completionTokens: 2, totalTokens: 7 }, finishReason: 'stop', endpoint: name } } };
    },
  };
  return { client: createClient(InferenceService, createRouterTransport(({ service }) => service(InferenceService, impl))), seen };
}

/** A fake classifier answering a fixed tier and score. */
export function fakeClassifier(tier: Tier = Tier.SIMPLE, score = 0.1): Client<typeof ClassifierService> {
  return createClient(
    ClassifierService,
    createRouterTransport(({ service }) => service(ClassifierService, { classify: () => ({ tier, score, promptTokens: 5, expectedOutputTokens: 20 }) })),
  );
}

/** A fresh override store on an in-memory SQLite database (the real embedded implementation). */
export function memoryOverrideStore(clock?: () => number): OverrideStore {
  return createSqliteOverrideStore(memoryStateDatabase(OVERRIDE_SCHEMA).db, clock ? { clock } : {});
}

/** Options for startFakeRouter. */
export interface FakeRouterOptions {
  readonly overrides?: OverrideStore;
  readonly serverless?: Client<typeof InferenceService>;
  readonly gpu?: Client<typeof InferenceService>;
  readonly logger?: Logger;
  readonly extra?: Partial<RouterDeps>;
}

/** A RouterService client over a handler wired to fakes; `close()` shuts its breakers down. */
export function startFakeRouter(options: FakeRouterOptions = {}): { router: Client<typeof RouterService>; breakers: TargetBreakers; close(): void } {
  const catalog = loadCatalog();
  const breakers = createTargetBreakers({ volumeThreshold: 3, errorThresholdPercentage: 50, resetTimeoutMs: 60_000, rollingWindowMs: 10_000 });
  const handler = createRouterHandler({
    catalog: () => catalog,
    classifier: fakeClassifier(),
    backends: { serverless: options.serverless ?? fakeInference('serverless').client, gpu: options.gpu ?? fakeInference('gpu').client },
    breakers,
    logger: options.logger ?? pino({ level: 'silent' }),
    overrides: options.overrides ?? memoryOverrideStore(),
    ...options.extra,
  });
  const router = createClient(RouterService, createRouterTransport(({ service }) => service(RouterService, handler)));
  return { router, breakers, close: () => breakers.shutdown() };
}

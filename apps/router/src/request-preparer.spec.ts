import { createClient, createRouterTransport, type HandlerContext } from '@connectrpc/connect';
import { create } from '@bufbuild/protobuf';
import { ClassifierService } from '@sophia/contracts/classifier';
import { Role, Tier } from '@sophia/contracts/common';
import { RouteInputSchema } from '@sophia/contracts/router';
import { loadCatalog } from '@sophia/price-catalog';
import { pino } from 'pino';
import { createRequestPreparer } from './request-preparer.ts';
import { parseRoutingPolicy } from './routing-policy.ts';
import { memoryOverrideStore } from './testing/fake-mesh.ts';

const ctx = { signal: new AbortController().signal, requestHeader: new Headers() } as unknown as HandlerContext;

describe('createRequestPreparer', () => {
  it('reads the budget headroom beside the classifier call, not after it', async () => {
    const order: string[] = [];
    let headroomAsked: () => void = () => undefined;
    const asked = new Promise<void>((resolve) => (headroomAsked = resolve));
    // The classifier answers only once the headroom was asked for: sequential steps would never finish.
    const classifier = createClient(
      ClassifierService,
      createRouterTransport(({ service }) =>
        service(ClassifierService, {
          async classify() {
            await asked;
            order.push('classified');
            return { tier: Tier.SIMPLE, score: 0.2, promptTokens: 12, expectedOutputTokens: 50 };
          },
        }),
      ),
    );
    const overrides = memoryOverrideStore();
    const logger = pino({ level: 'silent' });
    const preparer = createRequestPreparer({
      classifier,
      classifierTimeoutMs: 5000,
      overrides,
      logger,
      planner: {
        catalog: () => loadCatalog(),
        policy: () => parseRoutingPolicy('version: 1\nbudget: { step_down_at_utilisation: 0.9 }\n'),
        overrides,
        headroom: {
          headroom: async () => {
            order.push('headroom');
            headroomAsked();
            return { utilisation: 0.1 };
          },
        },
        capacity: () => undefined,
        breakerState: () => 'closed',
        backendsAvailable: new Set(['serverless', 'gpu']),
        clock: Date.now,
        logger,
      },
    });
    const input = create(RouteInputSchema, { requestId: 'r1', tenant: 'acme', messages: [{ role: Role.USER, content: 'hi' }] });
    const p = await preparer.prepare(input, ctx, true);
    expect(order).toEqual(['headroom', 'classified']);
    expect(p.promptTokens).toBe(12);
    expect(p.plan.targets.length).toBeGreaterThan(0);
  });
});

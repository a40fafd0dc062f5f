import type { ServiceImpl } from '@connectrpc/connect';
import type { RouterService } from '@sophia/contracts/router';
import { backendToProto, targetFeatures, tierToProto, type CatalogBackend, type PriceCatalog } from '@sophia/price-catalog';
import type { Logger } from 'pino';
import { breakerStatusToProto } from './breaker-status-proto.ts';
import { createOverrideAdmin, type OverrideAuditSink } from './override-admin.ts';
import type { OverrideStore } from './override-store.ts';
import type { TargetBreakers } from './target-breakers.ts';

/** What the admin methods read. */
export interface RouterAdminDeps {
  readonly catalog: () => PriceCatalog;
  readonly available: ReadonlySet<CatalogBackend>;
  readonly breakers: TargetBreakers;
  readonly overrides: OverrideStore;
  readonly logger: Logger;
  readonly clock: () => number;
  readonly audit?: OverrideAuditSink | undefined;
}

/** The RouterService methods off the request path: overrides, breaker snapshot, model list. */
export type RouterAdmin = Omit<ServiceImpl<typeof RouterService>, 'generate' | 'explain' | 'embed'>;

/** The "admin" part of the router: kept apart so the request path reads without it. */
export function createRouterAdmin(deps: RouterAdminDeps): RouterAdmin {
  return {
    ...createOverrideAdmin(deps.overrides, deps.logger, deps.clock, deps.audit),
    getBreakers() {
      return { breakers: deps.breakers.snapshot().map(breakerStatusToProto) };
    },
    listModels() {
      const catalog = deps.catalog();
      return {
        models: catalog.models.map((m) => ({
          id: m.id,
          tier: tierToProto(m.tier),
          backends: (['serverless', 'gpu'] as const).filter((b) => (b === 'serverless' ? m.serverless : m.gpu) !== undefined && deps.available.has(b)).map(backendToProto),
          ownedBy: m.ownedBy,
          kind: m.kind,
          // What some backend of this router can serve (the router plans only targets that have a request's features).
          features: [...new Set((['serverless', 'gpu'] as const).filter((b) => deps.available.has(b)).flatMap((b) => [...targetFeatures(m, b)]))].sort(),
          contextWindow: m.contextWindow,
        })),
      };
    },
  };
}

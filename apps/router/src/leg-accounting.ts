import { Code, ConnectError, type Client } from '@connectrpc/connect';
import { timestampNow } from '@bufbuild/protobuf/wkt';
import type { ChatMessage, RoutingDecision, Usage } from '@sophia/contracts/common';
import type { LedgerService } from '@sophia/contracts/ledger';
import { backendToProto, priceUsage, type PriceCatalog } from '@sophia/price-catalog';
import type { Logger } from 'pino';
import { budgetOutageCause, budgetOutageRefusal, isBudgetOutageRefusal } from '@sophia/platform/wire';
import type { PreparedRequest } from './request-preparer.ts';
import type { RouteTarget } from './route-plan.ts';
import { completionBound } from './completion-bound.ts';

/** One upstream leg: the original request, or a rescue continuing a broken stream. */
export interface Leg {
  readonly requestId: string;
  readonly messages: readonly ChatMessage[];
  readonly promptTokens: number;
}

/** What accounting talks to. */
export interface LegAccountingDeps {
  readonly catalog: () => PriceCatalog;
  readonly ledger?: Client<typeof LedgerService> | undefined;
  readonly logger: Logger;
  /** A reservation that cannot be made (ledger unreachable or slow): `serve` unreserved, or `refuse` (SOPHIA_REDIS_OUTAGE). */
  readonly budgetOutage: 'serve' | 'refuse';
}

/** The "account" step: each leg is reserved before its upstream call, released on failure, committed after. */
export interface LegAccounting {
  /**
   * Reserves the worst case of this leg on this target before calling it (ledger Reserve: prompt
   * tokens + max_tokens at list price, atomic against every budget of the tenant). Over budget is
   * the client's answer (RESOURCE_EXHAUSTED naming budget, spend and reset). A ledger that cannot
   * be reached does not stop traffic: the call proceeds unreserved and the failure is logged.
   */
  reserve(p: PreparedRequest, leg: Leg, target: RouteTarget): Promise<void>;
  /** Frees a leg's reservation after a failure before any token (the next target reserves anew). */
  release(p: PreparedRequest, leg: Leg): void;
  /** Commits a leg's real usage (settling its reservation) and returns its cost: the ledger's, or the router's own price when the ledger gave none. */
  commit(p: PreparedRequest, leg: Leg, target: RouteTarget, usage: Usage, decision: RoutingDecision, startedAt: number, completed: boolean): Promise<bigint>;
}

/** Builds the ledger side of a Generate; without a ledger every call is a no-op and costs are priced locally. */
export function createLegAccounting(deps: LegAccountingDeps): LegAccounting {
  return {
    async reserve(p, leg, target) {
      if (!deps.ledger) return;
      try {
        await deps.ledger.reserve(
          {
            requestId: leg.requestId,
            tenant: p.input.tenant,
            model: target.model.id,
            backend: backendToProto(target.backend),
            promptTokens: p.promptTokens,
            // n choices are billed n times; a plain request keeps the ledger's own default (0 = the model's limit).
            maxTokens: (p.input.params?.n ?? 0) > 1 ? completionBound(p.input.params, target.model) : (p.input.params?.maxTokens ?? 0),
          },
          { timeoutMs: 1000 },
        );
      } catch (err) {
        const ce = ConnectError.from(err);
        if (ce.code === Code.ResourceExhausted) throw new ConnectError(ce.rawMessage, Code.ResourceExhausted, ce.metadata);
        // The ledger's SOPHIA_REDIS_OUTAGE=refuse: its budget store is down and it asks not to serve unreserved.
        if (isBudgetOutageRefusal(ce)) throw budgetOutageRefusal(ce.rawMessage, budgetOutageCause(ce));
        // The ledger itself did not answer: budgets cannot be checked either way; the policy decides.
        if (deps.budgetOutage === 'refuse') throw budgetOutageRefusal(`the ledger did not answer the reservation (${ce.rawMessage}); SOPHIA_REDIS_OUTAGE=refuse`);
        deps.logger.error({ err: ce.rawMessage, requestId: leg.requestId }, 'ledger reserve failed: calling upstream without a reservation');
      }
    },

    release(p, leg) {
      if (!deps.ledger) return;
      deps.ledger.release({ reservationId: leg.requestId, tenant: p.input.tenant }, { timeoutMs: 1000 }).catch((err: unknown) => {
        deps.logger.warn({ err: ConnectError.from(err).rawMessage, requestId: leg.requestId }, 'ledger release failed: the reservation expires by its TTL');
      });
    },

    async commit(p, leg, target, usage, decision, startedAt, completed) {
      // The ledger prices what it records; the router prices only what the ledger did not answer for.
      const localPrice = (): bigint => BigInt(priceUsage(deps.catalog(), target.model.id, target.backend, usage, decision.provider || undefined));
      if (!deps.ledger) return localPrice();
      try {
        const res = await deps.ledger.commit(
          {
            reservationId: leg.requestId,
            event: {
              requestId: leg.requestId,
              tenant: p.input.tenant,
              model: target.model.id,
              backend: backendToProto(target.backend),
              tier: decision.tier,
              usage,
              time: timestampNow(),
              latencyMs: Date.now() - startedAt,
              fallback: decision.fallback,
              workloadTag: p.input.workloadTag,
              completed,
              target: target.key,
              provider: decision.provider,
            },
          },
          { timeoutMs: 2000 },
        );
        if (res.cost) return res.cost.microUsd;
      } catch (err) {
        // Neither the ledger nor the commit outbox could keep the usage (durable-commits.ts): the answer
        // must not complete as a success. Made afresh (as for Reserve): the received error's metadata
        // holds the ledger's response headers, which do not travel on as the router's own.
        if (isBudgetOutageRefusal(err)) throw budgetOutageRefusal(ConnectError.from(err).rawMessage, budgetOutageCause(err));
        deps.logger.error({ err: (err as Error).message, requestId: leg.requestId }, 'ledger commit failed: usage kept in logs only');
      }
      return localPrice();
    },
  };
}

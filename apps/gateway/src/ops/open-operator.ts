import type { Client } from '@connectrpc/connect';
import type { LedgerService } from '@sophia/contracts/ledger';
import type { RouterService } from '@sophia/contracts/router';
import type { Logger } from '@sophia/platform';
import type { FleetService } from '@sophia/contracts/fleet';
import { createFleetServiceOperations } from './fleet-service-operations.ts';
import { connectRedis } from '@sophia/platform/redis';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataDirOptions, openDataDir, openStateDatabase, StateStoreError, type StateDatabase } from '@sophia/state-store';
import type { GatewayConfig } from '../gateway-config.ts';
import { createLlmFallback } from './llm-fallback.ts';
import { createOperator, type Operator } from './operator.ts';
import type { PlanStore } from './plans/plan-store.ts';
import { createRedisPlanStore } from './plans/redis-plan-store.ts';
import { createSqlitePlanStore, PLAN_STORE_SCHEMA } from './plans/sqlite-plan-store.ts';
import { createPromptRecorder, type PromptRecorder } from './prompts/prompt-recorder.ts';
import type { PromptRepeatStore } from './prompts/prompt-repeat-store.ts';
import { createRedisPromptRepeatStore } from './prompts/redis-prompt-repeat-store.ts';
import { createSqlitePromptRepeatStore, PROMPT_REPEAT_STORE_SCHEMA } from './prompts/sqlite-prompt-repeat-store.ts';
import type { RateLimitSource } from '../rate-limit/rate-limit-source.ts';

/** The gateway's operator API with its resources (plan and prompt stores), closed with `close`. */
export interface OpenedOperator {
  readonly operator: Operator;
  /** Records chat prompts' fingerprints for costs.optimize; wrap the router client the chat paths use. */
  readonly prompts: PromptRecorder;
  close(): Promise<void>;
}

/**
 * The embedded state file for plans. When SOPHIA_DATA_DIR is unset and the default directory is
 * owned by another process (another mesh on this machine), the gateway keeps serving with plans in
 * a private file removed at stop — logged as an error, since such plans do not survive a restart.
 * An explicitly configured directory that is taken stops the start (the error names its owner).
 */
function openPlanState(config: GatewayConfig, logger: Logger): { db: StateDatabase['db']; close(): void } {
  try {
    return openDataDir(dataDirOptions(config), [PLAN_STORE_SCHEMA, PROMPT_REPEAT_STORE_SCHEMA]);
  } catch (err) {
    if (!(err instanceof StateStoreError) || err.code !== 'data_dir_locked' || config.SOPHIA_DATA_DIR !== undefined) throw err;
    const dir = mkdtempSync(join(tmpdir(), 'sophia-gateway-plans-'));
    logger.error({ err: err.message, dir }, 'default data directory is taken: operator plans are kept in a private file for this process only (set SOPHIA_DATA_DIR to keep them)');
    const state = openStateDatabase({ path: join(dir, 'plans.db'), schemas: [PLAN_STORE_SCHEMA, PROMPT_REPEAT_STORE_SCHEMA] });
    return { db: state.db, close: () => (state.close(), rmSync(dir, { recursive: true, force: true })) };
  }
}

/**
 * Builds the operator from configuration: plans in Redis when SOPHIA_REDIS_URL is set (shared by
 * gateway replicas), else in the embedded state file under SOPHIA_DATA_DIR; the ledger client when
 * the host gives one; GPU fleet management through gpu-inference's FleetService when the host
 * gives that client (else gpu.* answer FAILED_PRECONDITION).
 */
export async function openOperator(
  config: GatewayConfig,
  router: Client<typeof RouterService>,
  ledger: Client<typeof LedgerService> | undefined,
  logger: Logger,
  fleet?: Client<typeof FleetService> | undefined,
  rateLimits?: RateLimitSource,
): Promise<OpenedOperator> {
  let plans: PlanStore;
  let promptStore: PromptRepeatStore;
  let close: () => Promise<void>;
  if (config.SOPHIA_REDIS_URL) {
    const redis = await connectRedis(config.SOPHIA_REDIS_URL, {
      // No offline queue, like the gateway's rate-limit and the router's override clients: during an
      // outage a plan command fails at once (the operator hears it) instead of waiting in ioredis's queue
      // and running after Redis returns — a claim the caller already saw fail would leave its plan stuck
      // in `applying`. Fingerprint writes are dropped and logged as on any other failure.
      options: { maxRetriesPerRequest: 1, commandTimeout: 1000, enableOfflineQueue: false },
      onError: (err) => logger.warn({ err: err.message }, 'redis connection error (operator plans)'),
    });
    plans = createRedisPlanStore({ redis });
    promptStore = createRedisPromptRepeatStore({ redis });
    close = async () => void (await redis.quit());
  } else {
    const state = openPlanState(config, logger);
    plans = createSqlitePlanStore(state.db);
    promptStore = createSqlitePromptRepeatStore(state.db);
    close = async () => state.close();
  }
  if (!ledger) logger.warn('SOPHIA_LEDGER_ADDR is unset: operator reports, budgets and writes answer FAILED_PRECONDITION');
  const operator = createOperator({
    router,
    ledger,
    fleet: fleet ? createFleetServiceOperations(fleet, Math.min(config.SOPHIA_GATEWAY_REQUEST_TIMEOUT_MS, 30_000)) : undefined,
    plans,
    prompts: promptStore,
    ...(rateLimits ? { rateLimits } : {}),
    ...(config.SOPHIA_OPS_LLM_FALLBACK
      ? { llmFallback: createLlmFallback({ router, model: config.SOPHIA_OPS_LLM_MODEL, timeZone: config.SOPHIA_BUDGET_TIMEZONE, timeoutMs: Math.min(config.SOPHIA_GATEWAY_REQUEST_TIMEOUT_MS, 15_000), logger, now: () => Date.now() }) }
      : {}),
    logger,
    timeZone: config.SOPHIA_BUDGET_TIMEZONE,
    planTtlMs: config.SOPHIA_OPS_PLAN_TTL_MS,
    callTimeoutMs: Math.min(config.SOPHIA_GATEWAY_REQUEST_TIMEOUT_MS, 30_000),
    now: () => Date.now(),
  });
  const prompts = createPromptRecorder(promptStore, logger);
  return {
    operator,
    prompts,
    close: async () => {
      await prompts.close();
      await close();
    },
  };
}

import { COMMAND_ARGS, WRITE_INTENTS, type CommandIntent } from '@sophia/ops-interpreter';
import { type OperatorService } from '@sophia/contracts/ops';

/** One operator command as an MCP tool. */
export interface OperatorTool {
  /** MCP tool name: the intent with "_" for "." (`route_next`). */
  readonly name: string;
  readonly intent: CommandIntent;
  /** The OperatorService method that runs it. */
  readonly method: keyof typeof OperatorService.method;
  readonly title: string;
  readonly description: string;
  /** Writes only plan; confirm_plan applies. */
  readonly write: boolean;
}

const TOOLS: ReadonlyArray<Omit<OperatorTool, 'name' | 'write'>> = [
  { intent: 'usage.report', method: 'getUsageReport', title: 'Usage report', description: 'Requests, tokens and cost over a period (from/to YYYY-MM-DD, to exclusive), optionally grouped by model, tenant, backend, tier, day or workload, with month-to-date and projection.' },
  { intent: 'savings.report', method: 'getSavingsReport', title: 'Savings report', description: 'What the period cost against the always-on GPU baseline and the other counterfactuals (largest tier, all serverless, all GPU).' },
  { intent: 'costs.compare', method: 'compareCosts', title: 'Serverless vs GPU', description: 'The period\'s tokens priced serverless and on GPU instances, per workload and model, with break-even volumes.' },
  { intent: 'costs.optimize', method: 'optimizeCosts', title: 'Optimise costs', description: 'Concrete changes computed from the workload\'s real usage, each with its expected monthly saving and a plan id to confirm.' },
  { intent: 'route.next', method: 'routeNext', title: 'Route next N', description: 'Plan: send the next n requests to a backend (gpu or serverless). Returns a plan; nothing changes until confirm_plan.' },
  { intent: 'route.pin', method: 'pinRoute', title: 'Pin traffic', description: 'Plan: pin a tier (simple/balanced/complex), workload or tenant to a backend, optionally until a date. Returns a plan; confirm_plan applies it.' },
  { intent: 'traffic.split', method: 'splitTraffic', title: 'Traffic split', description: 'Plan: the share of traffic (serverless_percent, 0–100) that goes serverless first; the rest GPU first. Admin only.' },
  { intent: 'overrides.list', method: 'listOverrides', title: 'List overrides', description: 'The routing overrides in force (next-N, pins, splits).' },
  { intent: 'overrides.clear', method: 'clearOverrides', title: 'Clear overrides', description: 'Plan: remove one override by id, or every one the key may clear. confirm_plan applies it.' },
  { intent: 'budget.show', method: 'getBudget', title: 'Show budget', description: 'A tenant\'s budget windows with spend, reservations and utilisation.' },
  { intent: 'budget.set', method: 'setBudget', title: 'Set budget', description: 'Plan: set a tenant\'s daily or monthly budget (amount_usd). confirm_plan applies it.' },
  { intent: 'ratelimits.show', method: 'getRateLimits', title: 'Show rate limits', description: 'The rate limits in force for a tenant (requests/min, tokens/min, concurrent requests; in total and per API key) and where they come from (config or an operator override). An admin key without tenant sees every tenant.' },
  { intent: 'ratelimits.set', method: 'setRateLimits', title: 'Set rate limits', description: 'Plan: set a tenant\'s requests_per_minute, tokens_per_minute and/or concurrent_requests (scope "tenant" = all its keys together, "per_key" = each key; 0 lifts a limit; unnamed fields keep their value). Admin only. confirm_plan applies it on every gateway replica.' },
  { intent: 'breakers.show', method: 'getBreakers', title: 'Circuit breakers', description: 'Every upstream target\'s circuit breaker state on the router.' },
  { intent: 'gpu.list', method: 'listGpuInstances', title: 'GPU instances', description: 'The GPU fleet\'s instances (needs fleet management configured).' },
  { intent: 'gpu.launch', method: 'launchGpuInstances', title: 'Launch GPU instances', description: 'Plan: launch count instances of instance_type (needs fleet management). confirm_plan applies it.' },
  { intent: 'gpu.terminate', method: 'terminateGpuInstances', title: 'Terminate GPU instances', description: 'Plan: terminate an instance by id, or count instances. confirm_plan applies it.' },
];

/** Every operator command as a tool, in the table's order; input schemas are the commands' own (shared with the API). */
export const OPERATOR_TOOLS: readonly OperatorTool[] = TOOLS.map((t) => ({ ...t, name: t.intent.replace('.', '_'), write: WRITE_INTENTS.has(t.intent) }));

/** The zod shape of a tool's input: the command's argument schema. */
export function toolInputShape(intent: CommandIntent) {
  return COMMAND_ARGS[intent].shape;
}

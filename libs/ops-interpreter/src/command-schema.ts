import { z } from 'zod';

// The typed operator commands: one zod schema per intent, shared by the interpreter (what a phrase
// parses to), the operator API (what a REST/Connect caller may send) and the MCP tools (their
// input schemas). Argument names are the `ops parse` CLI contract — never rename them.

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');
const name = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1–64 letters, digits, ".", "_" or "-"');
const backend = z.enum(['gpu', 'serverless']);
const period = { from: date.optional(), to: date.optional() };

/** Dimensions a usage report may be grouped by. */
export const GROUP_BY = ['model', 'tenant', 'backend', 'tier', 'day', 'workload'] as const;
/** Counterfactuals a savings report compares against. */
export const BASELINES = ['gpu', 'largest_tier', 'all_serverless', 'all_gpu'] as const;

/** Whose limit a rate-limit change sets: the tenant's total, or each of its API keys'. */
export const RATE_LIMIT_SCOPES = ['tenant', 'per_key'] as const;
/** One rate-limit dimension: a whole number; 0 lifts the limit in that dimension. */
const rateLimit = z.number().int('must be a whole number').min(0, 'must not be negative (0 = no limit)').max(1_000_000_000, 'must be at most 1000000000');

/** Arguments of every intent (all optional unless the phrase gives them). */
export const COMMAND_ARGS = {
  'usage.report': z.strictObject({ ...period, group_by: z.string().regex(new RegExp(`^(${GROUP_BY.join('|')})(,(${GROUP_BY.join('|')}))*$`), `must be one or more of ${GROUP_BY.join(', ')}`).optional(), tenant: name.optional(), workload: name.optional(), backend: backend.optional() }),
  'savings.report': z.strictObject({ ...period, baseline: z.enum(BASELINES).optional() }),
  'costs.compare': z.strictObject({ ...period, workload: name.optional() }),
  'costs.optimize': z.strictObject({ workload: name.optional() }),
  'route.next': z.strictObject({ n: z.number().int().min(1, 'must be at least 1').max(100_000, 'must be at most 100000').optional(), backend: backend.optional() }),
  'route.pin': z.strictObject({ backend: backend.optional(), tier: z.enum(['simple', 'balanced', 'complex']).optional(), workload: name.optional(), tenant: name.optional(), until: z.string().regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?(\.\d+)?Z)?$/, 'must be a date YYYY-MM-DD or a UTC time').optional() }),
  'traffic.split': z.strictObject({ serverless_percent: z.number().min(0, 'must be between 0 and 100').max(100, 'must be between 0 and 100').optional() }),
  'overrides.list': z.strictObject({ id: z.string().min(1).max(128).optional() }),
  'overrides.clear': z.strictObject({ id: z.string().min(1).max(128).optional() }),
  'budget.show': z.strictObject({ tenant: name.optional() }),
  'budget.set': z.strictObject({ tenant: name.optional(), amount_usd: z.number().min(0, 'must not be negative').max(10_000_000, 'must be at most 10000000 (ten million dollars)').optional(), window: z.enum(['daily', 'monthly']).optional() }),
  'ratelimits.show': z.strictObject({ tenant: name.optional() }),
  'ratelimits.set': z.strictObject({
    tenant: name.optional(),
    scope: z.enum(RATE_LIMIT_SCOPES).optional(),
    requests_per_minute: rateLimit.optional(),
    tokens_per_minute: rateLimit.optional(),
    concurrent_requests: rateLimit.optional(),
  }),
  'breakers.show': z.strictObject({ backend: backend.optional() }),
  'gpu.list': z.strictObject({ count: z.number().int().min(1).max(64).optional(), instance_type: z.string().min(1).max(64).optional(), instance_id: z.string().min(1).max(128).optional() }),
  'gpu.launch': z.strictObject({ count: z.number().int().min(1, 'must be at least 1').max(64, 'must be at most 64').optional(), instance_type: z.string().min(1).max(64).optional(), instance_id: z.string().min(1).max(128).optional() }),
  'gpu.terminate': z.strictObject({ count: z.number().int().min(1, 'must be at least 1').max(64, 'must be at most 64').optional(), instance_type: z.string().min(1).max(64).optional(), instance_id: z.string().min(1).max(128).optional() }),
} as const;

/** An operator command's intent. */
export type CommandIntent = keyof typeof COMMAND_ARGS;
/** Every intent, in the table's order. */
export const COMMAND_INTENTS = Object.keys(COMMAND_ARGS) as CommandIntent[];
/** The arguments of intent `I`. */
export type CommandArgs<I extends CommandIntent> = z.infer<(typeof COMMAND_ARGS)[I]>;

/** A typed command: an intent with its validated arguments. */
export type Command = { [I in CommandIntent]: { readonly intent: I; readonly args: CommandArgs<I> } }[CommandIntent];

/** Intents that change the mesh: they go through plan → confirm → apply. */
export const WRITE_INTENTS: ReadonlySet<CommandIntent> = new Set(['route.next', 'route.pin', 'traffic.split', 'overrides.clear', 'budget.set', 'ratelimits.set', 'gpu.launch', 'gpu.terminate']);

/** True when the string is an intent name. */
export function isCommandIntent(value: string): value is CommandIntent {
  return Object.hasOwn(COMMAND_ARGS, value);
}

/**
 * Validates arguments for an intent: the command, or the first problem as `field: message` in
 * the caller's terms (`amount_usd: must not be negative`).
 */
export function validateCommand(intent: CommandIntent, args: unknown): { ok: true; command: Command } | { ok: false; problem: string } {
  const parsed = COMMAND_ARGS[intent].safeParse(args);
  if (parsed.success) return { ok: true, command: { intent, args: parsed.data } as Command };
  const issue = parsed.error.issues[0]!;
  const field = issue.path.map(String).join('.');
  return { ok: false, problem: field ? `${field}: ${issue.message}` : issue.message };
}

import { z } from 'zod';

/**
 * Faults the simulator can inject. One vocabulary serves the process-level fault (option, CLI flag,
 * `POST /sim/fault`) and the per-request fault (`x-sim-fault` header or `[[sim:fault=…]]` marker), so a
 * test can pick the same failure through any door. Optional fields fall back to the defaults in the
 * README; `ms` omitted on a stall means "forever" (until the client or the server gives up).
 */
export type InnerFaultSpec =
  | { kind: 'status'; code?: number; message?: string }
  | { kind: 'rate-limit'; retryAfterSeconds?: number }
  | { kind: 'reset-before-first-byte' }
  | { kind: 'stall-before-first-token'; ms?: number }
  | { kind: 'silent' }
  | { kind: 'stall-mid-stream'; afterTokens?: number; ms?: number }
  | { kind: 'cut-mid-stream'; afterTokens?: number }
  | { kind: 'malformed-chunk'; afterTokens?: number }
  | { kind: 'slow-drip'; ms?: number }
  | { kind: 'wrong-content-type' };

/** Every fault, with `count` limiting a process-level fault to the next N requests. */
export type FaultSpec = (
  | InnerFaultSpec
  | { kind: 'health-fail' }
  | { kind: 'fail-rate'; p: number; seed?: number; inner: InnerFaultSpec }
  | { kind: 'none' }
) & { count?: number };

/** The fault names accepted in text and JSON, in README order. */
export const FAULT_KINDS = [
  'status',
  'rate-limit',
  'reset-before-first-byte',
  'stall-before-first-token',
  'silent',
  'stall-mid-stream',
  'cut-mid-stream',
  'malformed-chunk',
  'slow-drip',
  'wrong-content-type',
  'health-fail',
  'fail-rate',
  'none',
] as const;

/** Short names accepted in the text syntax, so markers stay readable (`[[sim:fault=cut-mid]]`). */
const KIND_ALIASES: Readonly<Record<string, string>> = {
  reset: 'reset-before-first-byte',
  'stall-first': 'stall-before-first-token',
  'stall-mid': 'stall-mid-stream',
  'cut-mid': 'cut-mid-stream',
  malformed: 'malformed-chunk',
  html: 'wrong-content-type',
  off: 'none',
};

/** Thrown for a fault that cannot be parsed; `param` names the fault or parameter at fault. */
export class FaultSpecError extends Error {
  readonly param: string;
  constructor(message: string, param: string) {
    super(message);
    this.name = 'FaultSpecError';
    this.param = param;
  }
}

const count = z.number().int().positive().optional();
const ms = z.number().int().nonnegative().optional();
const afterTokens = z.number().int().nonnegative().optional();

const innerSchemas = [
  z.strictObject({ kind: z.literal('status'), code: z.number().int().min(200).max(599).optional(), message: z.string().optional(), count }),
  z.strictObject({ kind: z.literal('rate-limit'), retryAfterSeconds: z.number().int().nonnegative().optional(), count }),
  z.strictObject({ kind: z.literal('reset-before-first-byte'), count }),
  z.strictObject({ kind: z.literal('stall-before-first-token'), ms, count }),
  z.strictObject({ kind: z.literal('silent'), count }),
  z.strictObject({ kind: z.literal('stall-mid-stream'), afterTokens, ms, count }),
  z.strictObject({ kind: z.literal('cut-mid-stream'), afterTokens, count }),
  z.strictObject({ kind: z.literal('malformed-chunk'), afterTokens, count }),
  z.strictObject({ kind: z.literal('slow-drip'), ms, count }),
  z.strictObject({ kind: z.literal('wrong-content-type'), count }),
] as const;

const innerFaultSchema = z.discriminatedUnion('kind', [...innerSchemas]);

const faultSpecSchema = z.discriminatedUnion('kind', [
  ...innerSchemas,
  z.strictObject({ kind: z.literal('health-fail'), count }),
  z.strictObject({
    kind: z.literal('fail-rate'),
    p: z.number().min(0).max(1),
    seed: z.number().int().optional(),
    inner: innerFaultSchema,
    count,
  }),
  z.strictObject({ kind: z.literal('none'), count }),
]);

/** Validates a fault given as JSON (POST /sim/fault, options); throws FaultSpecError naming the field. */
export function faultSpecFromJson(value: unknown): FaultSpec {
  if (typeof value === 'object' && value !== null && 'kind' in value && typeof value.kind === 'string') {
    const kind = value.kind;
    if (!(FAULT_KINDS as readonly string[]).includes(kind)) {
      throw new FaultSpecError(`unknown fault "${kind}"; known faults: ${FAULT_KINDS.join(', ')}`, 'kind');
    }
  }
  const result = faultSpecSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue?.path.map(String).join('.') || 'fault';
    throw new FaultSpecError(`invalid fault ${path}: ${issue?.message ?? 'invalid value'}`, path);
  }
  return result.data as FaultSpec;
}

/** Text parameter names → FaultSpec fields, and how their values are read. */
const PARAMS: Readonly<Record<string, { field: string; type: 'number' | 'string' }>> = {
  code: { field: 'code', type: 'number' },
  message: { field: 'message', type: 'string' },
  'retry-after': { field: 'retryAfterSeconds', type: 'number' },
  ms: { field: 'ms', type: 'number' },
  after: { field: 'afterTokens', type: 'number' },
  p: { field: 'p', type: 'number' },
  seed: { field: 'seed', type: 'number' },
  count: { field: 'count', type: 'number' },
};

function resolveKind(name: string): string {
  const kind = KIND_ALIASES[name] ?? name;
  if (!(FAULT_KINDS as readonly string[]).includes(kind)) {
    throw new FaultSpecError(`unknown fault "${name}"; known faults: ${FAULT_KINDS.join(', ')}`, name);
  }
  return kind;
}

/**
 * Parses the text syntax used by the CLI flag, the `x-sim-fault` header and the message marker:
 * `name`, `name:key=value,key=value` or `name;key=value;key=value` (e.g. `status:code=503`,
 * `stall-mid;after=3;ms=500`, `fail-rate:p=0.3,fault=status,code=502,seed=7`). For fail-rate, `fault`
 * names the inner fault and every parameter other than p, seed and count belongs to it.
 */
export function parseFaultSpec(text: string): FaultSpec {
  const trimmed = text.trim();
  if (trimmed === '') throw new FaultSpecError('fault is empty', 'fault');
  const separator = trimmed.search(/[:;]/);
  const name = (separator === -1 ? trimmed : trimmed.slice(0, separator)).trim().toLowerCase();
  const kind = resolveKind(name);
  const rest = separator === -1 ? '' : trimmed.slice(separator + 1);
  const outer: Record<string, unknown> = { kind };
  const inner: Record<string, unknown> = {};
  for (const part of rest.split(/[;,]/)) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq === -1) throw new FaultSpecError(`fault parameter "${part.trim()}" must be key=value`, part.trim());
    const key = part.slice(0, eq).trim().toLowerCase();
    const raw = part.slice(eq + 1).trim();
    if (key === 'fault') {
      if (kind !== 'fail-rate') throw new FaultSpecError(`parameter "fault" only applies to fail-rate`, key);
      inner['kind'] = resolveKind(raw.toLowerCase());
      continue;
    }
    const param = PARAMS[key];
    if (!param) throw new FaultSpecError(`unknown fault parameter "${key}" for ${kind}`, key);
    const value = param.type === 'number' ? Number(raw) : raw;
    if (param.type === 'number' && (raw === '' || !Number.isFinite(value))) {
      throw new FaultSpecError(`fault parameter "${key}" must be a number, got "${raw}"`, key);
    }
    const goesOuter = kind !== 'fail-rate' || key === 'p' || key === 'seed' || key === 'count';
    (goesOuter ? outer : inner)[param.field] = value;
  }
  if (kind === 'fail-rate') {
    if (inner['kind'] === undefined) throw new FaultSpecError('fail-rate needs fault=<inner fault>', 'fault');
    outer['inner'] = inner;
  }
  return faultSpecFromJson(outer);
}

/** Renders a fault back to the text syntax; used for stats keys and logs. */
export function formatFaultSpec(spec: FaultSpec): string {
  const params: string[] = [];
  const push = (key: string, value: unknown): void => {
    if (value !== undefined) params.push(`${key}=${String(value)}`);
  };
  const fieldsToText = (fields: object): void => {
    for (const [textKey, { field }] of Object.entries(PARAMS)) {
      if (field === 'count') continue;
      push(textKey, (fields as Record<string, unknown>)[field]);
    }
  };
  if (spec.kind === 'fail-rate') {
    push('p', spec.p);
    push('seed', spec.seed);
    push('fault', spec.inner.kind);
    fieldsToText({ ...spec.inner, seed: undefined, p: undefined });
  } else {
    fieldsToText(spec);
  }
  push('count', spec.count);
  return params.length === 0 ? spec.kind : `${spec.kind}:${params.join(',')}`;
}

// The simulation's input: per-minute demand per tier, one JSON object a line —
// {"minute", "tier", "requests", "prompt_tokens", "completion_tokens", "serverless_up"} (tokens are
// totals for that minute and tier). Parsed strictly; a bad line is an error naming its line number
// and field.
import { z } from 'zod';
import { CATALOG_TIERS, type CatalogTier } from '@sophia/price-catalog';

const count = z.int().nonnegative();

/** One trace line as written. */
export const traceLineSchema = z.strictObject({
  minute: count,
  tier: z.enum(CATALOG_TIERS),
  requests: count,
  prompt_tokens: count,
  completion_tokens: count,
  serverless_up: z.boolean(),
});

/** One trace line. */
export type TraceLine = z.infer<typeof traceLineSchema>;

/** A parsed trace: lines grouped by minute, and its span. */
export interface DemandTrace {
  readonly firstMinute: number;
  /** Exclusive. */
  readonly endMinute: number;
  /** minute → tier → line (two lines of one minute and tier add up; serverless is down if either says so). */
  readonly byMinute: ReadonlyMap<number, ReadonlyMap<CatalogTier, TraceLine>>;
}

/** Error of a malformed trace, naming the line and field. */
export class TraceError extends Error {
  override readonly name = 'TraceError';
}

/** Parses JSONL trace text. @throws TraceError */
export function parseDemandTrace(text: string, origin = 'trace'): DemandTrace {
  const byMinute = new Map<number, Map<CatalogTier, TraceLine>>();
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (error) {
      throw new TraceError(`${origin}:${i + 1}: not JSON: ${(error as Error).message}`);
    }
    const parsed = traceLineSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new TraceError(`${origin}:${i + 1}: ${issue?.path.join('.') || '(line)'}: ${issue?.message ?? 'invalid'}`);
    }
    const line = parsed.data;
    const tiers = byMinute.get(line.minute) ?? new Map<CatalogTier, TraceLine>();
    const prev = tiers.get(line.tier);
    tiers.set(
      line.tier,
      prev === undefined
        ? line
        : {
            ...line,
            requests: prev.requests + line.requests,
            prompt_tokens: prev.prompt_tokens + line.prompt_tokens,
            completion_tokens: prev.completion_tokens + line.completion_tokens,
            serverless_up: prev.serverless_up && line.serverless_up,
          },
    );
    byMinute.set(line.minute, tiers);
    first = Math.min(first, line.minute);
    last = Math.max(last, line.minute);
  }
  if (byMinute.size === 0) throw new TraceError(`${origin}: no trace lines`);
  return { firstMinute: first, endMinute: last + 1, byMinute };
}

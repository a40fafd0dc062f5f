// Live GPU prices from the Lambda Cloud API: `GET <base>/api/v1/instance-types` answers
// `{"data": {"<name>": {"instance_type": {"name", "description", "price_cents_per_hour", "specs"},
// "regions_with_capacity_available": [...]}}}`. Only the price is used; cents become micro-USD
// (× 10,000) so they plug into the exact integer pricing.
import { z } from 'zod';

/**
 * The `data` of `GET /api/v1/instance-types`, shared with the GPU fleet's Lambda Cloud client so the
 * two readers of this answer cannot disagree about its shape.
 */
export const lambdaInstanceTypesSchema = z.record(
  z.string(),
  z.object({
    instance_type: z.object({
      name: z.string().min(1),
      description: z.string(),
      price_cents_per_hour: z.int().nonnegative(),
      specs: z.record(z.string(), z.unknown()).optional(),
    }),
    regions_with_capacity_available: z.array(z.object({ name: z.string(), description: z.string().optional() })).optional(),
  }),
);

const responseSchema = z.object({
  data: lambdaInstanceTypesSchema,
});

/** Options for fetchLambdaInstancePrices. */
export interface LambdaPriceOptions {
  readonly apiKey: string;
  /** @default "https://cloud.lambda.ai" */
  readonly baseUrl?: string;
  /** @default 10000 */
  readonly timeoutMs?: number;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** Error of a failed price fetch; the message never contains the API key. */
export class LambdaPriceError extends Error {
  override readonly name = 'LambdaPriceError';
}

/**
 * Instance type name → micro-USD per hour.
 * @throws LambdaPriceError on HTTP errors, timeouts and responses of the wrong shape (naming the path)
 */
export async function fetchLambdaInstancePrices(options: LambdaPriceOptions): Promise<Map<string, number>> {
  const base = (options.baseUrl ?? 'https://cloud.lambda.ai').replace(/\/+$/, '');
  const url = `${base}/api/v1/instance-types`;
  const doFetch = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(url, {
      headers: { authorization: `Basic ${Buffer.from(`${options.apiKey}:`).toString('base64')}`, accept: 'application/json' },
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (error) {
    throw new LambdaPriceError(`GET ${url} failed: ${(error as Error).message}`);
  }
  if (!response.ok) throw new LambdaPriceError(`GET ${url}: HTTP ${response.status}`);
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new LambdaPriceError(`GET ${url}: response is not JSON`);
  }
  const parsed = responseSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new LambdaPriceError(`GET ${url}: unexpected response at ${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}`);
  }
  const prices = new Map<string, number>();
  for (const entry of Object.values(parsed.data.data)) prices.set(entry.instance_type.name, entry.instance_type.price_cents_per_hour * 10_000);
  return prices;
}

// CloudClient over the Lambda Cloud API (https://cloud.lambda.ai/api/v1): bearer auth, `{data}`
// answers validated with zod, `{error: {code, message, suggestion}}` mapped in lambda-errors.ts,
// client-side pacing for the API's rate limits, and jittered backoff on 429 (honouring
// Retry-After). Reads and 429s are retried; a launch or terminate that failed any other way is not
// (it may have happened — the controller's orphan report and next list settle it).
import { lambdaInstanceTypesSchema } from '@sophia/price-catalog';
import { z } from 'zod';
import { CloudError, type CloudClient, type CloudInstance, type CloudInstanceType, type CloudSshKey, type LaunchRequest } from '../cloud-client.ts';
import { lambdaHttpError, lambdaTransportError, retryAfterMs } from './lambda-errors.ts';
import { createRequestPacer, type RequestPacerOptions } from './request-pacer.ts';

/** Options for createLambdaCloudClient. */
export interface LambdaCloudClientOptions {
  readonly apiKey: string;
  /** @default "https://cloud.lambda.ai" */
  readonly baseUrl?: string;
  /** @default 15000 */
  readonly timeoutMs?: number;
  /** Attempts after a 429 (or a failed read) before giving up. @default 4 */
  readonly maxRetries?: number;
  /** First backoff; doubles per attempt, capped at 30 s, full jitter. @default 1000 */
  readonly backoffMs?: number;
  readonly pacing?: RequestPacerOptions;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

const region = z.object({ name: z.string(), description: z.string().optional() });
const instanceSchema = z.object({
  id: z.string().min(1),
  name: z.string().nullish(),
  ip: z.string().nullish(),
  vllm_url: z.url().optional(),
  status: z.enum(['booting', 'active', 'unhealthy', 'terminating', 'terminated']),
  region: region.optional(),
  instance_type: z.object({ name: z.string() }).passthrough().optional(),
});
const sshKeySchema = z.object({ id: z.string(), name: z.string(), public_key: z.string() });

function toInstance(i: z.infer<typeof instanceSchema>): CloudInstance {
  return {
    id: i.id,
    name: i.name ?? '',
    status: i.status,
    instanceType: i.instance_type?.name ?? '',
    region: i.region?.name ?? '',
    ...(i.ip ? { ip: i.ip } : {}),
    ...(i.vllm_url ? { vllmUrl: i.vllm_url } : {}),
  };
}

/** A CloudClient for Lambda Cloud (or the simulator in tools/lambda-cloud-sim, same API). */
export function createLambdaCloudClient(options: LambdaCloudClientOptions): CloudClient & { readonly queued: () => number } {
  const base = (options.baseUrl ?? 'https://cloud.lambda.ai').replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  const pacer = createRequestPacer({ ...options.pacing, ...(options.sleep ? { sleep: options.sleep } : {}) });
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const maxRetries = options.maxRetries ?? 4;
  const backoffMs = options.backoffMs ?? 1000;

  async function call<T extends z.ZodType>(method: 'GET' | 'POST' | 'DELETE', path: string, schema: T, body?: unknown): Promise<z.infer<T>> {
    const what = `${method} /api/v1/${path}`;
    const kind = path === 'instance-operations/launch' ? 'launch' : 'request';
    const retryable = method === 'GET';
    for (let attempt = 0; ; attempt++) {
      await pacer.wait(kind);
      let response: Response;
      try {
        response = await doFetch(`${base}/api/v1/${path}`, {
          method,
          headers: { authorization: `Bearer ${options.apiKey}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
        });
      } catch (cause) {
        const error = lambdaTransportError(what, cause);
        if (retryable && attempt < maxRetries) {
          await sleep(backoff(attempt));
          continue;
        }
        throw error;
      }
      const json: unknown = await response.json().catch(() => undefined);
      if (!response.ok) {
        const error = lambdaHttpError(what, response.status, json, retryAfterMs(response.headers.get('retry-after'), Date.now()));
        const again = error.kind === 'rate_limited' || (retryable && error.kind === 'unavailable');
        if (again && attempt < maxRetries) {
          await sleep(Math.max(error.retryAfterMs ?? 0, backoff(attempt)));
          continue;
        }
        throw error;
      }
      const parsed = z.object({ data: schema }).safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new CloudError('unavailable', `${what}: unexpected response at ${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}`, 'malformed');
      }
      return (parsed.data as { data: z.infer<T> }).data;
    }
  }

  function backoff(attempt: number): number {
    return Math.floor(random() * Math.min(30_000, backoffMs * 2 ** attempt));
  }

  return {
    queued: () => pacer.queued,
    async listInstanceTypes() {
      const data = await call('GET', 'instance-types', lambdaInstanceTypesSchema);
      return Object.values(data).map((t): CloudInstanceType => {
        const spec = (key: string): number => {
          const value = t.instance_type.specs?.[key];
          return typeof value === 'number' ? value : 0;
        };
        return {
          name: t.instance_type.name,
          description: t.instance_type.description,
          priceCentsPerHour: t.instance_type.price_cents_per_hour,
          specs: { gpus: spec('gpus'), vcpus: spec('vcpus'), memoryGib: spec('memory_gib'), storageGib: spec('storage_gib') },
          regionsWithCapacity: (t.regions_with_capacity_available ?? []).map((r) => r.name),
        };
      });
    },
    async listInstances() {
      return (await call('GET', 'instances', z.array(instanceSchema))).map(toInstance);
    },
    async getInstance(id) {
      return toInstance(await call('GET', `instances/${encodeURIComponent(id)}`, instanceSchema));
    },
    async launch(request: LaunchRequest) {
      const data = await call('POST', 'instance-operations/launch', z.object({ instance_ids: z.array(z.string()).min(1) }), {
        region_name: request.region,
        instance_type_name: request.instanceType,
        ssh_key_names: request.sshKeyNames,
        quantity: 1,
        name: request.name,
        ...(request.userData === undefined ? {} : { user_data: request.userData }),
      });
      return data.instance_ids[0]!;
    },
    async terminate(ids) {
      await call('POST', 'instance-operations/terminate', z.object({ terminated_instances: z.array(instanceSchema) }), { instance_ids: ids });
    },
    async restart(ids) {
      await call('POST', 'instance-operations/restart', z.object({ restarted_instances: z.array(instanceSchema) }), { instance_ids: ids });
    },
    async listSshKeys() {
      return (await call('GET', 'ssh-keys', z.array(sshKeySchema))).map((k): CloudSshKey => ({ id: k.id, name: k.name, publicKey: k.public_key }));
    },
    async addSshKey(name, publicKey) {
      const k = await call('POST', 'ssh-keys', sshKeySchema, { name, public_key: publicKey });
      return { id: k.id, name: k.name, publicKey: k.public_key };
    },
    async deleteSshKey(id) {
      await call('DELETE', `ssh-keys/${encodeURIComponent(id)}`, z.unknown());
    },
  };
}

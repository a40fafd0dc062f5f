// A simulated Lambda Cloud API (the subset the fleet uses, same paths and shapes): instance types
// with prices and regions with capacity, launch / terminate / restart, list / get instances, SSH
// keys. A launched instance is `booting` for `bootMs`, then starts a real vLLM-persona upstream
// simulator on a free port serving the model its user data names, and turns `active` with
// `ip: 127.0.0.1` and `vllm_url` (an extension: instances share one host, so the port varies).
// Terminating closes that server. Bearer (or Basic) auth with the configured key; optional per-region
// capacity and launch spacing (429 + Retry-After) to exercise the client's failure paths.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createUpstreamSimulator, type UpstreamSimulator } from '@sophia/upstream-sim';
import { sendLambdaData, sendLambdaError } from './lambda-api-error.ts';
import { servedModelFromUserData } from './served-model-from-user-data.ts';

/** An instance type the simulator offers. */
export interface SimInstanceType {
  readonly name: string;
  readonly description: string;
  readonly priceCentsPerHour: number;
  readonly gpus: number;
}

/** Options for createLambdaCloudSimulator. */
export interface LambdaCloudSimulatorOptions {
  readonly apiKey: string;
  readonly instanceTypes: readonly SimInstanceType[];
  /** @default ["us-east-1", "us-west-1"] */
  readonly regions?: readonly string[];
  /** Launch → vLLM serving. @default 3000 */
  readonly bootMs?: number;
  /** Instances per region (all types); a launch beyond it fails with insufficient-capacity. @default unlimited */
  readonly capacityPerRegion?: Readonly<Record<string, number>>;
  /** Instances per instance type (all regions); 0 = sold out, so launches must fall back to another type. @default unlimited */
  readonly capacityPerType?: Readonly<Record<string, number>>;
  /** Launches closer than this answer 429 with Retry-After. @default 0 (no limit) */
  readonly launchIntervalMs?: number;
  /** @default 0 (ephemeral) */
  readonly port?: number;
  /** @default "127.0.0.1" */
  readonly host?: string;
  /** Token pacing of the instances' vLLM simulators. */
  readonly vllm?: { readonly ttftMs?: number; readonly interTokenMs?: number; readonly maxConcurrency?: number };
}

type Status = 'booting' | 'active' | 'unhealthy' | 'terminated';

interface SimInstance {
  readonly id: string;
  readonly name: string;
  readonly type: SimInstanceType;
  readonly region: string;
  readonly sshKeyNames: readonly string[];
  readonly servedModel: string | undefined;
  status: Status;
  vllm?: UpstreamSimulator;
  /** Kept after a simulated failure so probes reach a closed port. */
  vllmUrl?: string;
  boot?: NodeJS.Timeout;
}

/** A running simulator. */
export interface LambdaCloudSimulator {
  /** Base URL (`http://127.0.0.1:PORT`); the API is under `/api/v1`. */
  readonly url: string;
  readonly port: number;
  /** Instances not terminated, for tests and the demo. */
  instances(): { id: string; name: string; status: Status; instanceType: string; vllmUrl?: string }[];
  /** Makes an instance's vLLM stop answering while the cloud still calls it active (the fleet should replace it). */
  failInstance(id: string): Promise<void>;
  /** Terminates every instance and stops listening. */
  close(): Promise<void>;
}

class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly suggestion: string | undefined;
  retryAfter: number | undefined;
  constructor(status: number, code: string, message: string, suggestion?: string) {
    super(message);
    this.status = status;
    this.code = code;
    this.suggestion = suggestion;
  }
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 1_100_000) throw new HttpError(400, 'global/invalid-parameters', 'request body is larger than 1 MB');
    chunks.push(chunk as Buffer);
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch {
    throw new HttpError(400, 'global/invalid-parameters', 'request body must be a JSON object');
  }
}

function stringField(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '') throw new HttpError(400, 'global/invalid-parameters', `${field} must be a non-empty string`);
  return value;
}

function stringList(body: Record<string, unknown>, field: string): string[] {
  const value = body[field];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new HttpError(400, 'global/invalid-parameters', `${field} must be a list of strings`);
  return value as string[];
}

/** Starts the simulator. */
export async function createLambdaCloudSimulator(options: LambdaCloudSimulatorOptions): Promise<LambdaCloudSimulator> {
  const regions = options.regions ?? ['us-east-1', 'us-west-1'];
  const bootMs = options.bootMs ?? 3000;
  const instances = new Map<string, SimInstance>();
  const sshKeys = new Map<string, { id: string; name: string; public_key: string }>();
  let lastLaunch = Number.NEGATIVE_INFINITY;
  let closed = false;

  const used = (region: string): number => [...instances.values()].filter((i) => i.region === region && i.status !== 'terminated').length;
  const usedOfType = (type: string): number => [...instances.values()].filter((i) => i.type.name === type && i.status !== 'terminated').length;
  const hasCapacity = (region: string, type: string): boolean =>
    used(region) < (options.capacityPerRegion?.[region] ?? Number.POSITIVE_INFINITY) && usedOfType(type) < (options.capacityPerType?.[type] ?? Number.POSITIVE_INFINITY);
  const describe = (i: SimInstance) => ({
    id: i.id,
    name: i.name,
    status: i.status,
    ssh_key_names: i.sshKeyNames,
    file_system_names: [],
    region: { name: i.region, description: i.region },
    instance_type: { name: i.type.name, description: i.type.description, price_cents_per_hour: i.type.priceCentsPerHour },
    ...(i.status === 'active' && i.vllmUrl ? { ip: '127.0.0.1', hostname: '127.0.0.1', vllm_url: i.vllmUrl } : {}),
  });
  const find = (id: string): SimInstance => {
    const i = instances.get(id);
    if (i === undefined) throw new HttpError(404, 'global/object-does-not-exist', `instance ${id} does not exist`);
    return i;
  };
  const stop = async (i: SimInstance): Promise<void> => {
    if (i.boot) clearTimeout(i.boot);
    const vllm = i.vllm;
    i.vllm = undefined;
    await vllm?.close();
  };
  const boot = (i: SimInstance): void => {
    i.boot = setTimeout(() => {
      i.boot = undefined;
      if (i.status !== 'booting' || closed) return;
      createUpstreamSimulator({ persona: 'vllm', port: 0, ...(i.servedModel ? { models: [i.servedModel] } : {}), ...options.vllm })
        .then(async (vllm) => {
          if (i.status !== 'booting' || closed) return vllm.close();
          i.vllm = vllm;
          i.vllmUrl = vllm.url;
          i.status = 'active';
        })
        .catch(() => {
          i.status = 'unhealthy';
        });
    }, bootMs);
  };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const auth = req.headers.authorization ?? '';
    const basic = `Basic ${Buffer.from(`${options.apiKey}:`).toString('base64')}`;
    if (auth !== `Bearer ${options.apiKey}` && auth !== basic) {
      throw new HttpError(401, 'global/invalid-api-key', 'API key was invalid, expired, or deleted.', 'Check your API key or create a new one, then try again.');
    }
    const url = new URL(req.url ?? '/', 'http://sim');
    const path = url.pathname.replace(/\/+$/, '');
    const method = req.method ?? 'GET';
    if (method === 'GET' && path === '/api/v1/instance-types') {
      const data: Record<string, unknown> = {};
      for (const t of options.instanceTypes) {
        data[t.name] = {
          instance_type: {
            name: t.name,
            description: t.description,
            gpu_description: t.description,
            price_cents_per_hour: t.priceCentsPerHour,
            specs: { vcpus: 26 * t.gpus, memory_gib: 225 * t.gpus, storage_gib: 2750 * t.gpus, gpus: t.gpus },
          },
          regions_with_capacity_available: regions.filter((r) => hasCapacity(r, t.name)).map((name) => ({ name, description: name })),
        };
      }
      return sendLambdaData(res, data);
    }
    if (method === 'GET' && path === '/api/v1/instances') {
      return sendLambdaData(res, [...instances.values()].filter((i) => i.status !== 'terminated').map(describe));
    }
    const one = /^\/api\/v1\/instances\/([^/]+)$/.exec(path);
    if (method === 'GET' && one) return sendLambdaData(res, describe(find(decodeURIComponent(one[1]!))));
    if (method === 'POST' && path === '/api/v1/instance-operations/launch') {
      const body = await readJson(req);
      const now = Date.now();
      const interval = options.launchIntervalMs ?? 0;
      if (now - lastLaunch < interval) {
        const wait = Math.ceil((lastLaunch + interval - now) / 1000);
        const limited = new HttpError(429, 'global/rate-limited', `Too many launch requests: at most one launch per ${interval / 1000} s`);
        limited.retryAfter = wait;
        throw limited;
      }
      const typeName = stringField(body, 'instance_type_name');
      const region = stringField(body, 'region_name');
      const sshKeyNames = stringList(body, 'ssh_key_names');
      const type = options.instanceTypes.find((t) => t.name === typeName);
      if (type === undefined) throw new HttpError(400, 'global/invalid-parameters', `instance_type_name: unknown instance type ${typeName}`);
      if (!regions.includes(region)) throw new HttpError(400, 'global/invalid-parameters', `region_name: unknown region ${region}`);
      if (sshKeyNames.length !== 1) throw new HttpError(400, 'global/invalid-parameters', 'ssh_key_names: exactly one SSH key must be specified');
      if ((body['quantity'] ?? 1) !== 1) throw new HttpError(400, 'global/invalid-parameters', 'quantity: the simulator launches one instance per request');
      if (!hasCapacity(region, type.name)) {
        throw new HttpError(400, 'instance-operations/launch/insufficient-capacity', 'Not enough capacity to fulfill launch request.', 'Choose an instance type with more availability, or try again later.');
      }
      const userData = typeof body['user_data'] === 'string' ? body['user_data'] : undefined;
      lastLaunch = now;
      const id = randomBytes(16).toString('hex');
      const name = typeof body['name'] === 'string' ? body['name'] : id;
      const instance: SimInstance = { id, name, type, region, sshKeyNames, servedModel: servedModelFromUserData(userData), status: 'booting' };
      instances.set(id, instance);
      boot(instance);
      return sendLambdaData(res, { instance_ids: [id] });
    }
    if (method === 'POST' && (path === '/api/v1/instance-operations/terminate' || path === '/api/v1/instance-operations/restart')) {
      const body = await readJson(req);
      const targets = stringList(body, 'instance_ids').map(find);
      const terminate = path.endsWith('terminate');
      for (const i of targets) {
        await stop(i);
        if (terminate) i.status = 'terminated';
        else if (i.status !== 'terminated') {
          i.status = 'booting';
          boot(i);
        }
      }
      return sendLambdaData(res, { [terminate ? 'terminated_instances' : 'restarted_instances']: targets.map(describe) });
    }
    if (method === 'GET' && path === '/api/v1/ssh-keys') return sendLambdaData(res, [...sshKeys.values()]);
    if (method === 'POST' && path === '/api/v1/ssh-keys') {
      const body = await readJson(req);
      const name = stringField(body, 'name');
      if ([...sshKeys.values()].some((k) => k.name === name)) throw new HttpError(400, 'global/invalid-parameters', `name: an SSH key named ${name} exists`);
      const key = { id: randomBytes(8).toString('hex'), name, public_key: typeof body['public_key'] === 'string' ? body['public_key'] : `ssh-ed25519 SIMULATED ${name}` };
      sshKeys.set(key.id, key);
      return sendLambdaData(res, key);
    }
    const keyPath = /^\/api\/v1\/ssh-keys\/([^/]+)$/.exec(path);
    if (method === 'DELETE' && keyPath) {
      if (!sshKeys.delete(decodeURIComponent(keyPath[1]!))) throw new HttpError(404, 'global/object-does-not-exist', `SSH key ${keyPath[1]} does not exist`);
      return sendLambdaData(res, {});
    }
    throw new HttpError(404, 'global/object-does-not-exist', `${method} ${path} is not part of the simulated API`);
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (error instanceof HttpError) {
        const retry = error.retryAfter;
        return sendLambdaError(res, error.status, error.code, error.message, error.suggestion, retry === undefined ? {} : { 'retry-after': String(retry) });
      }
      sendLambdaError(res, 500, 'global/internal-error', error instanceof Error ? error.message : String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    instances: () =>
      [...instances.values()]
        .filter((i) => i.status !== 'terminated')
        .map((i) => ({ id: i.id, name: i.name, status: i.status, instanceType: i.type.name, ...(i.vllmUrl ? { vllmUrl: i.vllmUrl } : {}) })),
    async failInstance(id) {
      const i = instances.get(id);
      if (i === undefined) throw new Error(`instance ${id} does not exist`);
      await stop(i);
    },
    async close() {
      closed = true;
      await Promise.all([...instances.values()].map(stop));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

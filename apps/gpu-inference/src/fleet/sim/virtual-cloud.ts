// A CloudClient on a virtual clock for the offline simulation: launches succeed (unless a region is
// declared full), instances become `active` with an address after the boot delay, and the cloud
// bills every instance per started minute from launch to termination — the invoice the simulation
// reports, not the controller's own bookkeeping.
import { CloudError, type CloudClient, type CloudInstance, type CloudInstanceType, type LaunchRequest } from '../cloud-client.ts';

/** Options for createVirtualCloud. */
export interface VirtualCloudOptions {
  readonly now: () => number;
  readonly bootMs: number;
  /** Instance types offered: name → cents per hour and GPUs. */
  readonly types: ReadonlyMap<string, { readonly priceCentsPerHour: number; readonly gpus: number }>;
  /** @default ["us-east-1"] */
  readonly regions?: readonly string[];
}

interface VirtualInstance {
  readonly id: string;
  readonly name: string;
  readonly instanceType: string;
  readonly region: string;
  readonly launchedAt: number;
  terminatedAt?: number;
  readonly microUsdPerHour: number;
}

/** A virtual cloud with its invoice. */
export interface VirtualCloud extends CloudClient {
  /** Instance-minutes and micro-USD billed up to `until` (running instances are billed up to it). */
  invoice(until: number): { readonly instanceMinutes: number; readonly microUsd: number };
  /** Whether a virtual instance has finished booting (the simulation's vLLM is up). */
  isReady(id: string): boolean;
}

const MINUTE_MS = 60_000;

/** Creates an empty virtual cloud. */
export function createVirtualCloud(options: VirtualCloudOptions): VirtualCloud {
  const regions = options.regions ?? ['us-east-1'];
  const instances = new Map<string, VirtualInstance>();
  let seq = 0;
  const describe = (i: VirtualInstance): CloudInstance => {
    const now = options.now();
    const status = i.terminatedAt !== undefined ? 'terminated' : now >= i.launchedAt + options.bootMs ? 'active' : 'booting';
    return { id: i.id, name: i.name, status, instanceType: i.instanceType, region: i.region, ...(status === 'active' ? { ip: `10.0.${Math.floor(seq / 250)}.${(Number(i.id.slice(3)) % 250) + 1}` } : {}) };
  };
  const find = (id: string): VirtualInstance => {
    const i = instances.get(id);
    if (i === undefined) throw new CloudError('not_found', `instance ${id} does not exist`, 'global/object-does-not-exist');
    return i;
  };
  return {
    listInstanceTypes: () =>
      Promise.resolve(
        [...options.types].map(([name, t]): CloudInstanceType => ({
          name,
          description: name,
          priceCentsPerHour: t.priceCentsPerHour,
          specs: { gpus: t.gpus, vcpus: 26 * t.gpus, memoryGib: 200 * t.gpus, storageGib: 1000 * t.gpus },
          regionsWithCapacity: regions,
        })),
      ),
    listInstances: () => Promise.resolve([...instances.values()].filter((i) => i.terminatedAt === undefined).map(describe)),
    getInstance: (id) => Promise.resolve(describe(find(id))),
    launch(request: LaunchRequest) {
      const type = options.types.get(request.instanceType);
      if (type === undefined) return Promise.reject(new CloudError('invalid_request', `unknown instance type ${request.instanceType}`, 'global/invalid-parameters'));
      const id = `vm-${++seq}`;
      instances.set(id, { id, name: request.name, instanceType: request.instanceType, region: request.region, launchedAt: options.now(), microUsdPerHour: type.priceCentsPerHour * 10_000 });
      return Promise.resolve(id);
    },
    terminate(ids) {
      for (const id of ids) find(id).terminatedAt ??= options.now();
      return Promise.resolve();
    },
    restart: () => Promise.resolve(),
    listSshKeys: () => Promise.resolve([{ id: 'key-1', name: 'fleet-sim', publicKey: 'ssh-ed25519 AAAA fleet-sim' }]),
    addSshKey: (name, publicKey) => Promise.resolve({ id: `key-${name}`, name, publicKey }),
    deleteSshKey: () => Promise.resolve(),
    invoice(until) {
      let instanceMinutes = 0;
      let microUsd = 0;
      for (const i of instances.values()) {
        const minutes = Math.ceil(((i.terminatedAt ?? until) - i.launchedAt) / MINUTE_MS);
        instanceMinutes += minutes;
        microUsd += (minutes * i.microUsdPerHour) / 60;
      }
      return { instanceMinutes, microUsd };
    },
    isReady: (id) => {
      const i = instances.get(id);
      return i !== undefined && i.terminatedAt === undefined && options.now() >= i.launchedAt + options.bootMs;
    },
  };
}

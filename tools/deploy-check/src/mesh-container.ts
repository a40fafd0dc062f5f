// Which mesh services a container runs and on which of its ports, for both ways the image starts
// them: one service per process (`node apps/<service>/src/main.ts`, ports named by convention) and
// a host of several (`node apps/mesh/src/main.ts` with SOPHIA_SERVICES, each service on the
// container ports its SOPHIA_<SERVICE>_PORT / _METRICS_PORT name). The checks, the call graph and
// boot-render all read placements from here, so a co-hosted pod is understood the same way by each.
import { serviceRegistry } from '@sophia/mesh/registry';
import { ConfigError, selectServices } from '@sophia/platform';
import { resolveContainerEnv, type EnvEntry } from './container-env.ts';
import type { KubeObject } from './kube-object.ts';
import { containerPorts, metricsPortKeyOf, portKeyOf, workloadsOf, type ContainerPort, type Workload } from './workload.ts';

/** The app whose entry point hosts services named by SOPHIA_SERVICES. */
export const HOST_APP = 'mesh';

/** One service a container runs, with the container ports it listens on (undefined: none declared). */
export interface HostedService {
  readonly service: string;
  /** Its gRPC port (the gateway: its HTTP port). */
  readonly primary: ContainerPort | undefined;
  readonly metrics: ContainerPort | undefined;
}

/** A container that runs mesh code, with what it hosts. */
export interface MeshContainer {
  readonly workload: Workload;
  readonly container: Record<string, unknown>;
  /** The app of its entry point: a service name, or {@link HOST_APP}. */
  readonly app: string;
  /** True for the host entry point (services from SOPHIA_SERVICES, ports from their port keys). */
  readonly cohosted: boolean;
  readonly services: readonly HostedService[];
  /** Its resolved environment (values from ConfigMaps and rendered Secrets). */
  readonly env: ReadonlyMap<string, EnvEntry>;
  /** Why SOPHIA_SERVICES could not be read (then `services` is empty). */
  readonly problems: readonly string[];
}

/** The app of a `node apps/<app>/src/main.ts` command (with args), or undefined for anything else. */
export function entryAppOf(container: Record<string, unknown>): string | undefined {
  const command = [...(Array.isArray(container['command']) ? container['command'] : []), ...(Array.isArray(container['args']) ? container['args'] : [])];
  if (command[0] !== 'node' || typeof command[1] !== 'string') return undefined;
  return /^apps\/([a-z0-9-]+)\/src\/main\.ts$/.exec(command[1])?.[1];
}

function portNamed(ports: readonly ContainerPort[], name: string): ContainerPort | undefined {
  return ports.find((p) => p.name === name);
}

function portNumbered(ports: readonly ContainerPort[], value: string | undefined): ContainerPort | undefined {
  return value === undefined ? undefined : ports.find((p) => String(p.port) === value);
}

/** A container's mesh services: the one its entry point names, or SOPHIA_SERVICES' for the host. */
export function meshContainerOf(workload: Workload, container: Record<string, unknown>, objects: readonly KubeObject[]): MeshContainer | undefined {
  const app = entryAppOf(container);
  if (app === undefined) return undefined;
  const { env } = resolveContainerEnv(container, { objects, namespace: workload.object.metadata.namespace, secretTemplates: new Map() }, workload.object.metadata.name);
  const ports = containerPorts(container);
  if (app !== HOST_APP) {
    const primary = portNamed(ports, app === 'gateway' ? 'http' : 'grpc');
    return { workload, container, app, cohosted: false, services: [{ service: app, primary, metrics: portNamed(ports, 'metrics') }], env, problems: [] };
  }
  let names: string[];
  try {
    names = selectServices(serviceRegistry, env.get('SOPHIA_SERVICES')?.value).map((m) => m.name);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { workload, container, app, cohosted: true, services: [], env, problems: err.problems };
  }
  const services = names.map((service) => ({
    service,
    primary: portNumbered(ports, env.get(portKeyOf(service))?.value),
    metrics: portNumbered(ports, env.get(metricsPortKeyOf(service))?.value),
  }));
  return { workload, container, app, cohosted: true, services, env, problems: [] };
}

/** Every container of `objects` that runs mesh code. */
export function meshContainersOf(objects: readonly KubeObject[]): MeshContainer[] {
  return workloadsOf(objects).flatMap((w) => w.containers.flatMap((c) => meshContainerOf(w, c, objects) ?? []));
}

/** Where a service (or a non-mesh workload, by its name) listens: its workload and ports by role. */
export interface Endpoint {
  readonly workload: string;
  /** The port of a role: "grpc"/"http" (the primary of a mesh service), "metrics", or any port name of a non-mesh workload. */
  port(role: string): number | undefined;
}

/**
 * Service name → the workloads that serve it. Mesh services are found through their containers
 * (so a co-hosted pod serves several); any other workload (Redis, the simulators) serves its own name.
 */
export function endpointsOf(objects: readonly KubeObject[]): Map<string, Endpoint[]> {
  const endpoints = new Map<string, Endpoint[]>();
  const add = (service: string, endpoint: Endpoint): void => {
    endpoints.set(service, [...(endpoints.get(service) ?? []), endpoint]);
  };
  const mesh = new Set<string>();
  for (const m of meshContainersOf(objects)) {
    const workload = m.workload.object.metadata.name;
    mesh.add(workload);
    for (const hosted of m.services) add(hosted.service, { workload, port: (role) => (role === 'metrics' ? hosted.metrics : hosted.primary)?.port });
  }
  for (const w of workloadsOf(objects)) {
    const workload = w.object.metadata.name;
    if (mesh.has(workload)) continue;
    const ports = w.containers.flatMap(containerPorts);
    add(workload, { workload, port: (role) => portNamed(ports, role)?.port });
  }
  return endpoints;
}

// Starts a rendered overlay as real local processes with the environment and arguments its pods
// would get (ConfigMap, env, rendered Secret), so a value the service's own config schema rejects,
// or an address that points nowhere, fails here instead of in a CrashLoopBackOff. Only what a
// laptop cannot mimic is changed: every process binds 127.0.0.1 on free ports picked up front (one
// per container port, so a pod hosting several services keeps them apart; metrics ports bind any
// free port and are read from the listening lines), each `service:port` reference is rewritten to
// the local address behind that Service, and paths
// under an emptyDir mount point into a temporary directory instead.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChild, type ChildService } from '@sophia/dev';
import { unusedPort } from '@sophia/platform/testing';
import { resolveContainerEnv } from './container-env.ts';
import { labelsAt, recordsAt, selects, type KubeObject } from './kube-object.ts';
import { meshContainerOf } from './mesh-container.ts';
import { containerPorts, resolvePort, workloadsOf, type ContainerPort, type Workload } from './workload.ts';

/** Options for {@link bootRender}. */
export interface BootRenderOptions {
  readonly root: string;
  /** Service name → host:port for workloads that are not started here (e.g. "redis" → a local redis-server). */
  readonly external: Readonly<Record<string, string>>;
  readonly onLog?: (name: string, line: string) => void;
  /** @default 30000 */
  readonly readyTimeoutMs?: number;
}

/** The started processes, by workload name. */
export interface BootedRender {
  readonly children: ReadonlyMap<string, ChildService>;
  /** host:port a Service's port resolves to, e.g. address("gateway", 8080). */
  address(service: string, port: number): string;
  /** SIGTERM to every process, callers first; resolves with each exit code. */
  stop(): Promise<Map<string, number | string>>;
}

/** What the kubelet waits between SIGTERM and SIGKILL when a pod names no terminationGracePeriodSeconds. */
const KUBERNETES_DEFAULT_GRACE_S = 30;

interface Plan {
  readonly workload: Workload;
  readonly container: Record<string, unknown>;
  readonly script: string;
  readonly args: string[];
  readonly env: Record<string, string>;
  /** Services referenced in env values or arguments. */
  readonly needs: Set<string>;
  /** Mesh services it hosts, each announcing a listening line (empty: wait for the first line). */
  readonly hosts: readonly string[];
}

function hostPortOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(?:[a-z]+:\/\/)?([^/\s]+:\d+)/.exec(value);
  return match?.[1];
}

/** The address a started child announced for the metrics port of `service` (its only service when undefined). */
function announcedMetrics(child: ChildService, service: string | undefined): string | undefined {
  return hostPortOf((service === undefined ? child.ready : child.listening[service])?.['metrics']);
}

/** Metrics ports ("metrics", or "metrics-<service>" in a pod hosting several) bind a free port locally; the rest get fixed local ports. */
function isMetricsPort(port: ContainerPort | undefined): boolean {
  return /^metrics(-|$)/.test(port?.name ?? '');
}

/** emptyDir mount paths of the container (other than /tmp) → a fresh temporary directory each. */
function emptyDirMounts(workload: Workload, container: Record<string, unknown>, tempDirs: string[]): Map<string, string> {
  const emptyDirs = new Set(recordsAt(workload.podSpec, ['volumes']).filter((v) => v['emptyDir'] !== undefined).map((v) => v['name']));
  const mounts = new Map<string, string>();
  for (const mount of recordsAt(container, ['volumeMounts'])) {
    if (!emptyDirs.has(mount['name']) || typeof mount['mountPath'] !== 'string' || mount['mountPath'] === '/tmp') continue;
    const dir = mkdtempSync(join(tmpdir(), `deploy-check-${workload.object.metadata.name}-`));
    tempDirs.push(dir);
    mounts.set(mount['mountPath'], dir);
  }
  return mounts;
}

function planFor(workload: Workload, objects: readonly KubeObject[], services: readonly KubeObject[], localPorts: ReadonlyMap<number, number>, tempDirs: string[]): Plan | undefined {
  const container = workload.containers[0];
  const command = container?.['command'];
  if (!container || !Array.isArray(command) || command[0] !== 'node' || typeof command[1] !== 'string') return undefined;
  const mounts = emptyDirMounts(workload, container, tempDirs);
  const remount = (value: string): string => {
    for (const [mountPath, dir] of mounts) if (value === mountPath || value.startsWith(`${mountPath}/`)) return dir + value.slice(mountPath.length);
    return value;
  };
  const { env } = resolveContainerEnv(container, { objects, namespace: workload.object.metadata.namespace, secretTemplates: new Map() }, workload.object.metadata.name);
  const ports = containerPorts(container);
  const portOf = (value: string): ContainerPort | undefined => ports.find((p) => String(p.port) === value);
  const plain: Record<string, string> = { NODE_ENV: 'production' };
  for (const [key, entry] of env) {
    if (entry.value === undefined) continue;
    const port = key.endsWith('_PORT') ? portOf(entry.value) : undefined;
    if (key === 'SOPHIA_BIND_HOST') plain[key] = '127.0.0.1';
    else if (port && isMetricsPort(port)) plain[key] = '0';
    else if (port) plain[key] = String(localPorts.get(port.port));
    else plain[key] = remount(entry.value);
  }
  const args = command.slice(2).map(String);
  for (let i = 0; i < args.length - 1; i++) {
    if (args[i] === '--host') args[i + 1] = '127.0.0.1';
    const port = args[i] === '--port' ? portOf(args[i + 1]!) : undefined;
    if (port && !isMetricsPort(port)) args[i + 1] = String(localPorts.get(port.port));
  }
  const needs = new Set<string>();
  const text = [...Object.values(plain), ...args].join(' ');
  for (const service of services) {
    for (const port of recordsAt(service, ['spec', 'ports'])) {
      if (text.includes(`${service.metadata.name}:${String(port['port'])}`)) needs.add(service.metadata.name);
    }
  }
  const hosts = meshContainerOf(workload, container, objects)?.services.map((h) => h.service) ?? [];
  return { workload, container, script: command[1], args, env: plain, needs, hosts };
}

/**
 * Starts every `node <script>` workload of `objects` in dependency order (a workload starts once
 * the Services its configuration names are up) and resolves when all have announced themselves.
 */
export async function bootRender(objects: readonly KubeObject[], options: BootRenderOptions): Promise<BootedRender> {
  const services = objects.filter((o) => o.kind === 'Service');
  const workloads = workloadsOf(objects);
  // Workload → its container port → the local port standing in for it (metrics ports excluded).
  const localPorts = new Map<string, Map<number, number>>();
  for (const w of workloads) {
    const byPort = new Map<number, number>();
    for (const port of w.containers.flatMap(containerPorts)) if (!isMetricsPort(port)) byPort.set(port.port, await unusedPort());
    localPorts.set(w.object.metadata.name, byPort);
  }
  const tempDirs: string[] = [];
  const plans = workloads.map((w) => planFor(w, objects, services, localPorts.get(w.object.metadata.name)!, tempDirs)).filter((p): p is Plan => p !== undefined);
  const children = new Map<string, ChildService>();
  const started: string[] = [];

  const address = (serviceName: string, port: number): string => {
    const external = options.external[serviceName];
    if (external !== undefined) return external;
    const service = services.find((s) => s.metadata.name === serviceName);
    const servicePort = recordsAt(service, ['spec', 'ports']).find((p) => p['port'] === port);
    const target = workloads.find((w) => service && selects(labelsAt(service, ['spec', 'selector']), w.podLabels));
    if (!target || !servicePort) throw new Error(`${serviceName}:${port} names no Service port of a workload`);
    const container = target.containers.find((c) => resolvePort(c, servicePort['targetPort'] ?? port) !== undefined);
    const containerPort = container && resolvePort(container, servicePort['targetPort'] ?? port);
    if (!container || !containerPort) throw new Error(`${serviceName}:${port} targets no container port of ${target.object.metadata.name}`);
    if (!isMetricsPort(containerPort)) return `127.0.0.1:${localPorts.get(target.object.metadata.name)!.get(containerPort.port)!}`;
    // A co-hosted pod announces one metrics address per service: take the one this port belongs to.
    const mesh = meshContainerOf(target, container, objects);
    const owner = mesh?.cohosted ? mesh.services.find((h) => h.metrics?.port === containerPort.port)?.service : undefined;
    const child = children.get(target.object.metadata.name);
    const resolved = child && announcedMetrics(child, owner);
    if (resolved === undefined) throw new Error(`${serviceName}:${port} is not running`);
    return resolved;
  };
  const graceMsOf = (workloadName: string): number => {
    const workload = workloads.find((w) => w.object.metadata.name === workloadName);
    const seconds = workload?.podSpec['terminationGracePeriodSeconds'];
    return (typeof seconds === 'number' ? seconds : KUBERNETES_DEFAULT_GRACE_S) * 1000;
  };
  const rewrite = (value: string): string =>
    value.replace(/\b([a-z0-9-]+):(\d+)\b/g, (whole, name: string, port: string) => (services.some((s) => s.metadata.name === name) ? address(name, Number(port)) : whole));

  const stop = async (): Promise<Map<string, number | string>> => {
    const codes = new Map<string, number | string>();
    // SIGTERM, then SIGKILL after the pod's own grace period, as the kubelet does.
    for (const name of started.splice(0).reverse()) codes.set(name, await children.get(name)!.stop(graceMsOf(name)));
    for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    return codes;
  };

  try {
    const pending = [...plans];
    while (pending.length > 0) {
      // Start what has its dependencies up; the shared ConfigMap names every Service in every pod, so
      // when only cycles remain, start them together (gRPC clients connect lazily).
      const unblocked = pending.filter((p) => [...p.needs].every((s) => s === p.workload.object.metadata.name || options.external[s] !== undefined || isRunning(s)));
      const ready = unblocked.length > 0 ? unblocked : [...pending];
      // allSettled, not all: a sibling that fails must not leave the others starting unobserved.
      const results = await Promise.allSettled(
        ready.map(async (plan) => {
          const name = plan.workload.object.metadata.name;
          const env = Object.fromEntries(Object.entries(plan.env).map(([k, v]) => [k, rewrite(v)]));
          const child = await startChild({
            name,
            script: join(options.root, plan.script),
            args: plan.args.map(rewrite),
            env,
            ...(plan.hosts.length > 1 ? { expect: plan.hosts } : {}),
            onLog: options.onLog ?? (() => undefined),
            readyTimeoutMs: options.readyTimeoutMs ?? 30_000,
          });
          children.set(name, child);
          started.push(name);
        }),
      );
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed.length > 0) throw new Error(failed.map((r) => (r.reason as Error).message).join('\n'));
      for (const plan of ready) pending.splice(pending.indexOf(plan), 1);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { children, address, stop };

  function isRunning(serviceName: string): boolean {
    const service = services.find((s) => s.metadata.name === serviceName);
    return workloads.some((w) => service !== undefined && selects(labelsAt(service, ['spec', 'selector']), w.podLabels) && children.has(w.object.metadata.name));
  }
}

/** The Service port a workload's container port is published on (for callers of {@link BootedRender.address}). */
export function servicePortOf(objects: readonly KubeObject[], serviceName: string, portName: string): number {
  const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === serviceName);
  const port = recordsAt(service, ['spec', 'ports']).find((p) => p['name'] === portName)?.['port'];
  if (typeof port !== 'number') throw new Error(`Service ${serviceName} has no port named ${portName}`);
  return port;
}

/** The rendered Secret's first API key for the gateway (key:tenant,… → key). */
export function firstApiKey(objects: readonly KubeObject[]): string {
  const secret = objects.find((o) => o.kind === 'Secret' && o.metadata.name === 'sophia-secrets');
  const spec = labelsAt(secret, ['stringData'])['SOPHIA_API_KEYS'] ?? '';
  const key = spec.split(',')[0]?.split(':')[0];
  if (!key) throw new Error('the render has no Secret sophia-secrets with SOPHIA_API_KEYS');
  return key;
}


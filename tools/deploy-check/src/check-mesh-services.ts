// Rules for containers that run mesh services (`node apps/<service>/src/main.ts`, or several in one
// process: `node apps/mesh/src/main.ts` with SOPHIA_SERVICES): the process
// is configured the way its code reads configuration (port keys, bind host, addresses that resolve
// to Services, only keys the code knows), probes use the right protocol, and shutdown fits the
// termination grace period.
import { resolveContainerEnv, type EnvEntry } from './container-env.ts';
import { error, warning, type Finding } from './finding.ts';
import { getPath, isRecord, objectRef, recordsAt, type KubeObject } from './kube-object.ts';
import { meshContainersOf, type HostedService, type MeshContainer } from './mesh-container.ts';
import { metricsPortKeyOf, portKeyOf, type Workload } from './workload.ts';

/** Facts about the repository and conventions the mesh rules compare against. */
export interface MeshRules {
  /** Folders under apps/ (a command naming another app is an error). */
  readonly appFolders: ReadonlySet<string>;
  /** Apps whose src/main.ts exists (a missing one is a warning: the service may not be written yet). */
  readonly entryPoints: ReadonlySet<string>;
  /** SOPHIA_* keys the code reads (see readRepoFacts). */
  readonly knownEnvKeys: ReadonlySet<string>;
  /** SOPHIA_* keys the configuration docs name. */
  readonly documentedEnvKeys: ReadonlySet<string>;
  /** The docs describe SOPHIA_<SERVICE>_PORT / _METRICS_PORT as a pattern. */
  readonly documentsPortPattern: boolean;
  /** Secret name → keys, for Secrets created out of band from a template. */
  readonly secretTemplates: ReadonlyMap<string, ReadonlySet<string>>;
  /** The metrics port every service must use. @default 9464 */
  readonly metricsPort?: number;
}

/** Services that keep shared state only when SOPHIA_REDIS_URL is set (in-process otherwise). */
const NEEDS_REDIS_TO_SCALE = new Set(['ledger', 'router']);
/** The default of SOPHIA_SHUTDOWN_GRACE_MS in @sophia/platform. */
const DEFAULT_GRACE_MS = 10_000;

function preStopSeconds(container: Record<string, unknown>): number | undefined {
  const sleep = getPath(container, ['lifecycle', 'preStop', 'sleep', 'seconds']);
  if (typeof sleep === 'number') return sleep;
  const command = getPath(container, ['lifecycle', 'preStop', 'exec', 'command']);
  if (Array.isArray(command) && command[0] === 'sleep' && command.length === 2) {
    const seconds = Number(command[1]);
    return Number.isFinite(seconds) ? seconds : undefined;
  }
  return undefined;
}

function maxReplicasOf(workload: Workload, objects: readonly KubeObject[]): number {
  const replicas = typeof getPath(workload.object, ['spec', 'replicas']) === 'number' ? (getPath(workload.object, ['spec', 'replicas']) as number) : 1;
  const hpa = objects.find(
    (o) =>
      o.kind === 'HorizontalPodAutoscaler' &&
      o.metadata.namespace === workload.object.metadata.namespace &&
      getPath(o, ['spec', 'scaleTargetRef', 'name']) === workload.object.metadata.name,
  );
  const max = getPath(hpa, ['spec', 'maxReplicas']);
  return Math.max(replicas, typeof max === 'number' ? max : 0);
}

function checkProbeKinds(subject: string, service: string, container: Record<string, unknown>, grpcPorts: readonly number[]): Finding[] {
  const findings: Finding[] = [];
  for (const which of ['readinessProbe', 'livenessProbe'] as const) {
    const probe = container[which];
    if (!isRecord(probe)) continue; // reported by checkWorkloads
    if (service === 'gateway') {
      const path = getPath(probe, ['httpGet', 'path']);
      const allowed = which === 'livenessProbe' ? ['/healthz'] : ['/readyz', '/healthz'];
      if (typeof path !== 'string' || !allowed.includes(path)) {
        findings.push(error(subject, 'mesh.probe-kind', `gateway ${which} must be httpGet on ${allowed.join(' or ')}`));
      }
    } else {
      const port = getPath(probe, ['grpc', 'port']);
      if (typeof port !== 'number' || !grpcPorts.includes(port)) {
        findings.push(error(subject, 'mesh.probe-kind', `${which} must be a native grpc probe on port ${grpcPorts.join(' or ')} (grpc.health.v1)`));
      }
    }
  }
  return findings;
}

function checkAddresses(subject: string, env: Map<string, EnvEntry>, objects: readonly KubeObject[], namespace: string | undefined): Finding[] {
  const findings: Finding[] = [];
  for (const [key, entry] of env) {
    if (!key.startsWith('SOPHIA_') || !key.endsWith('_ADDR') || entry.value === undefined) continue;
    const match = /^([a-z0-9-]+)(?:\.[a-z0-9.-]+)?:(\d+)$/.exec(entry.value);
    if (!match) {
      findings.push(error(subject, 'mesh.address', `${key}="${entry.value}" is not host:port`));
      continue;
    }
    const [, host, port] = match;
    const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === host && o.metadata.namespace === namespace);
    if (!service) findings.push(error(subject, 'mesh.address', `${key}="${entry.value}": no Service "${host}" in the render`));
    else if (!recordsAt(service, ['spec', 'ports']).some((p) => p['port'] === Number(port))) {
      findings.push(error(subject, 'mesh.address', `${key}="${entry.value}": Service ${host} has no port ${port}`));
    }
  }
  return findings;
}

/** The ports of one hosted service: named by convention alone in its pod, by its port keys when co-hosted. */
function checkHostedPorts(subject: string, mesh: MeshContainer, hosted: HostedService, metricsPort: number): Finding[] {
  const findings: Finding[] = [];
  const { service, primary, metrics } = hosted;
  const primaryName = service === 'gateway' ? 'http' : 'grpc';
  const portKey = portKeyOf(service);
  const metricsKey = metricsPortKeyOf(service);
  const envValue = (key: string): string => JSON.stringify(mesh.env.get(key)?.value);
  if (!mesh.cohosted) {
    if (!primary) findings.push(error(subject, 'mesh.ports', `no container port named "${primaryName}"`));
    if (!metrics) findings.push(error(subject, 'mesh.ports', 'no container port named "metrics"'));
    else if (metrics.port !== metricsPort) findings.push(error(subject, 'mesh.ports', `metrics port is ${metrics.port}, expected ${metricsPort}`));
    if (primary && mesh.env.get(portKey)?.value !== String(primary.port)) {
      findings.push(error(subject, 'mesh.port-env', `${portKey} must be "${primary.port}" (the ${primaryName} container port), got ${envValue(portKey)}`));
    }
    if (metrics && mesh.env.get(metricsKey)?.value !== String(metrics.port)) {
      findings.push(error(subject, 'mesh.port-env', `${metricsKey} must be "${metrics.port}" (the metrics container port), got ${envValue(metricsKey)}`));
    }
    return findings;
  }
  // Co-hosted: each service listens where its own keys say; the pod declares those ports, named so
  // Services, the scrape config and allow-prometheus-scrape can tell them apart.
  if (!primary) findings.push(error(subject, 'mesh.port-env', `${service} is hosted here: ${portKey} must name one of the container ports, got ${envValue(portKey)}`));
  else if (!new RegExp(`^${primaryName}(-|$)`).test(primary.name ?? '')) {
    findings.push(error(subject, 'mesh.ports', `${service}'s port ${primary.port} must be named "${primaryName}" or "${primaryName}-…", got ${JSON.stringify(primary.name)}`));
  }
  if (!metrics) findings.push(error(subject, 'mesh.port-env', `${service} is hosted here: ${metricsKey} must name one of the container ports, got ${envValue(metricsKey)}`));
  else if (!/^metrics(-|$)/.test(metrics.name ?? '')) {
    findings.push(error(subject, 'mesh.ports', `${service}'s metrics port ${metrics.port} must be named "metrics" or "metrics-…" (what the scrape config selects), got ${JSON.stringify(metrics.name)}`));
  }
  return findings;
}

function checkMeshContainer(mesh: MeshContainer, objects: readonly KubeObject[], rules: MeshRules): Finding[] {
  const { workload, container, app } = mesh;
  const subject = objectRef(workload.object);
  const findings: Finding[] = [];
  const metricsPort = rules.metricsPort ?? 9464;
  if (!rules.appFolders.has(app)) {
    findings.push(error(subject, 'mesh.app', `command runs apps/${app}/src/main.ts but there is no apps/${app}`));
    return findings;
  }
  if (!rules.entryPoints.has(app)) findings.push(warning(subject, 'mesh.entry-point', `apps/${app}/src/main.ts does not exist yet: the pod would crash`));
  for (const problem of mesh.problems) findings.push(error(subject, 'mesh.services', problem));
  const services = mesh.services.map((h) => h.service);
  for (const hosted of mesh.services) findings.push(...checkHostedPorts(subject, mesh, hosted, metricsPort));
  const bound = new Map<number, string>();
  for (const hosted of mesh.services) {
    for (const port of [hosted.primary, hosted.metrics]) {
      if (port === undefined) continue;
      const other = bound.get(port.port);
      if (other !== undefined && other !== hosted.service) findings.push(error(subject, 'mesh.port-env', `${other} and ${hosted.service} both listen on port ${port.port}`));
      bound.set(port.port, hosted.service);
    }
  }

  const { env, findings: envFindings } = resolveContainerEnv(container, { objects, namespace: workload.object.metadata.namespace, secretTemplates: rules.secretTemplates }, subject);
  findings.push(...envFindings);
  const ownPortKeys = new Set(services.flatMap((s) => [portKeyOf(s), metricsPortKeyOf(s)]));
  const bindHost = env.get('SOPHIA_BIND_HOST')?.value;
  if (bindHost !== '0.0.0.0' && bindHost !== '::') {
    findings.push(error(subject, 'mesh.bind-host', `SOPHIA_BIND_HOST must be 0.0.0.0 in a pod (got ${JSON.stringify(bindHost)}): 127.0.0.1 is unreachable from the Service`));
  }
  for (const [key, entry] of env) {
    if (!key.startsWith('SOPHIA_')) continue;
    const ownPortKey = ownPortKeys.has(key);
    if (!rules.knownEnvKeys.has(key) && !ownPortKey) {
      findings.push(error(subject, 'env.unknown-key', `${key} (from ${entry.source}) is read by no code in apps/, libs/ or tools/`));
    } else if (!rules.documentedEnvKeys.has(key) && !(ownPortKey && rules.documentsPortPattern)) {
      findings.push(error(subject, 'env.undocumented', `${key} (from ${entry.source}) is in no configuration doc (README.md, docs/configuration.md, project READMEs)`));
    }
  }
  findings.push(...checkAddresses(subject, env, objects, workload.object.metadata.namespace));
  // The kubelet probes one port per container: the gateway's HTTP health when it is hosted here
  // (its readiness covers the router it calls), else the gRPC health of a hosted service.
  const probed = mesh.services.find((h) => h.service === 'gateway') ?? mesh.services.find((h) => h.primary !== undefined);
  if (probed?.service === 'gateway') findings.push(...checkProbeKinds(subject, 'gateway', container, []));
  else if (probed) findings.push(...checkProbeKinds(subject, probed.service, container, mesh.services.flatMap((h) => (h.primary ? [h.primary.port] : []))));
  if (services.includes('gateway') && !env.has('SOPHIA_API_KEYS')) {
    findings.push(error(subject, 'mesh.api-keys', 'SOPHIA_API_KEYS is unset: the gateway refuses to bind 0.0.0.0 in local mode'));
  }
  for (const service of services) {
    if (NEEDS_REDIS_TO_SCALE.has(service) && maxReplicasOf(workload, objects) > 1 && !env.has('SOPHIA_REDIS_URL')) {
      findings.push(error(subject, 'mesh.shared-state', `${service} may run several replicas but SOPHIA_REDIS_URL is unset: each replica would keep its own state`));
    }
  }

  const preStop = preStopSeconds(container);
  if (preStop === undefined) findings.push(error(subject, 'mesh.prestop', 'no preStop sleep: endpoints may still route to a draining pod'));
  const graceValue = env.get('SOPHIA_SHUTDOWN_GRACE_MS')?.value;
  const graceMs = graceValue === undefined ? DEFAULT_GRACE_MS : Number(graceValue);
  const period = workload.podSpec['terminationGracePeriodSeconds'];
  const periodSeconds = typeof period === 'number' ? period : 30;
  // A host drains its services one after another (callers first), each within the grace.
  const drains = Math.max(1, mesh.services.length);
  const needed = (preStop ?? 0) + (drains * graceMs) / 1000 + 1;
  if (!Number.isFinite(graceMs) || periodSeconds < needed) {
    const times = drains > 1 ? `${drains} × ` : '';
    findings.push(
      error(subject, 'mesh.grace', `terminationGracePeriodSeconds ${periodSeconds} < preStop ${preStop ?? 0}s + ${times}SOPHIA_SHUTDOWN_GRACE_MS ${graceValue ?? DEFAULT_GRACE_MS}ms + 1s: the kubelet would kill in-flight calls`),
    );
  }
  return findings;
}

/** Checks every mesh-service container in `objects` (one service or several per process), plus one image for the whole mesh. */
export function checkMeshServices(objects: readonly KubeObject[], rules: MeshRules): Finding[] {
  const findings: Finding[] = [];
  const images = new Map<string, string>();
  for (const mesh of meshContainersOf(objects)) {
    if (typeof mesh.container['image'] === 'string') images.set(objectRef(mesh.workload.object), mesh.container['image']);
    findings.push(...checkMeshContainer(mesh, objects, rules));
  }
  if (new Set(images.values()).size > 1) {
    findings.push(error('mesh', 'mesh.image', `every service runs the one image, but found: ${[...new Set(images.values())].join(', ')}`));
  }
  return findings;
}

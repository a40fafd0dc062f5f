import { checkMeshServices } from './check-mesh-services.ts';
import type { Finding } from './finding.ts';
import type { KubeObject } from './kube-object.ts';
import { find, firstContainer, podSpec, render, repoFacts } from './testing/render-fixture.ts';

const errors = (objects: readonly KubeObject[]): string[] =>
  checkMeshServices(objects, repoFacts())
    .filter((f: Finding) => f.severity === 'error')
    .map((f) => `${f.subject} ${f.rule}`);

type EnvList = { name: string; value?: string; valueFrom?: unknown }[];
const envOf = (objects: KubeObject[], name: string): EnvList => firstContainer(find(objects, 'Deployment', name))['env'] as EnvList;
const configData = (objects: KubeObject[]): Record<string, string> => find(objects, 'ConfigMap', 'sophia-config')['data'] as Record<string, string>;

describe('checkMeshServices', () => {
  it('passes dev, prod and prod with the sql component (entry points not written yet are warnings)', () => {
    expect(errors(render('overlays/dev'))).toEqual([]);
    expect(errors(render('overlays/prod'))).toEqual([]);
    expect(errors(render('overlays/prod', ['components/sql']))).toEqual([]);
  });

  it('fails a port key that does not match the container port', () => {
    const objects = render('overlays/prod');
    envOf(objects, 'ledger').find((e) => e.name === 'SOPHIA_LEDGER_PORT')!.value = '50054';
    expect(errors(objects)).toEqual(['sophia/Deployment/ledger mesh.port-env']);
  });

  it('fails a copy-paste that sets another service’s port keys (unset key, default port)', () => {
    const objects = render('overlays/prod');
    for (const e of envOf(objects, 'gateway')) e.name = e.name.replace('GATEWAY', 'ROUTER');
    // Another service's port keys are not the gateway's: both are known (derived from the router's
    // registration); SOPHIA_ROUTER_METRICS_PORT is documented only as the SOPHIA_<SERVICE>_METRICS_PORT pattern.
    expect(errors(objects)).toEqual([
      'sophia/Deployment/gateway mesh.port-env',
      'sophia/Deployment/gateway mesh.port-env',
      'sophia/Deployment/gateway env.undocumented',
    ]);
  });

  it('requires SOPHIA_BIND_HOST=0.0.0.0 in every mesh pod', () => {
    const objects = render('overlays/dev');
    delete configData(objects)['SOPHIA_BIND_HOST'];
    expect(errors(objects).filter((e) => e.endsWith('mesh.bind-host'))).toHaveLength(6);
  });

  it('flags a SOPHIA_* key no code reads (a typo)', () => {
    const objects = render('overlays/prod');
    configData(objects)['SOPHIA_LOGLEVEL'] = 'debug';
    expect(new Set(errors(objects))).toEqual(new Set(['classifier', 'gateway', 'gpu-inference', 'ledger', 'router', 'serverless-inference'].map((s) => `sophia/Deployment/${s} env.unknown-key`)));
  });

  it('flags a key the code reads but no configuration doc names', () => {
    const objects = render('overlays/prod');
    const facts = repoFacts();
    const documented = new Set(facts.documentedEnvKeys);
    documented.delete('SOPHIA_SHUTDOWN_GRACE_MS');
    const found = checkMeshServices(objects, { ...facts, documentedEnvKeys: documented }).filter((f) => f.severity === 'error');
    expect(found.map((f) => f.rule)).toEqual(Array(6).fill('env.undocumented'));
    expect(found[0]!.message).toBe('SOPHIA_SHUTDOWN_GRACE_MS (from ConfigMap sophia-config) is in no configuration doc (README.md, docs/configuration.md, project READMEs)');
  });

  it('resolves *_ADDR to a Service and one of its ports', () => {
    const objects = render('overlays/prod');
    configData(objects)['SOPHIA_LEDGER_ADDR'] = 'ledger:50099';
    configData(objects)['SOPHIA_CLASSIFIER_ADDR'] = 'classifer:50051';
    expect(errors(objects).filter((e) => e.startsWith('sophia/Deployment/router'))).toEqual(['sophia/Deployment/router mesh.address', 'sophia/Deployment/router mesh.address']);
  });

  it('requires a native gRPC probe on the gRPC port, and /healthz for gateway liveness', () => {
    const objects = render('overlays/prod');
    firstContainer(find(objects, 'Deployment', 'classifier'))['livenessProbe'] = { tcpSocket: { port: 50051 } };
    (firstContainer(find(objects, 'Deployment', 'gateway'))['livenessProbe'] as { httpGet: { path: string } }).httpGet.path = '/v1/models';
    expect(errors(objects)).toEqual(['sophia/Deployment/gateway mesh.probe-kind', 'sophia/Deployment/classifier mesh.probe-kind']);
  });

  it('fails a termination grace period shorter than preStop + SOPHIA_SHUTDOWN_GRACE_MS', () => {
    const objects = render('overlays/prod');
    configData(objects)['SOPHIA_SHUTDOWN_GRACE_MS'] = '60000';
    expect(errors(objects).every((e) => e.endsWith('mesh.grace'))).toBe(true);
    expect(errors(objects)).toHaveLength(6);
    configData(objects)['SOPHIA_SHUTDOWN_GRACE_MS'] = '20000';
    podSpec(find(objects, 'Deployment', 'router'))['terminationGracePeriodSeconds'] = 25;
    expect(errors(objects)).toEqual(['sophia/Deployment/router mesh.grace']);
  });

  it('requires a preStop sleep', () => {
    const objects = render('overlays/prod');
    delete firstContainer(find(objects, 'Deployment', 'gpu-inference'))['lifecycle'];
    expect(errors(objects)).toEqual(['sophia/Deployment/gpu-inference mesh.prestop']);
  });

  it('requires the gateway API keys and the ledger Redis URL when it scales', () => {
    const objects = render('overlays/prod');
    const gateway = firstContainer(find(objects, 'Deployment', 'gateway'));
    gateway['env'] = envOf(objects, 'gateway').filter((e) => e.name !== 'SOPHIA_API_KEYS');
    const ledger = firstContainer(find(objects, 'Deployment', 'ledger'));
    ledger['env'] = envOf(objects, 'ledger').filter((e) => e.name !== 'SOPHIA_REDIS_URL');
    expect(errors(objects)).toEqual(['sophia/Deployment/gateway mesh.api-keys', 'sophia/Deployment/ledger mesh.shared-state']);
  });

  it('checks secret keys against the Secret template when the Secret is not rendered', () => {
    const objects = render('overlays/prod');
    ((envOf(objects, 'ledger').find((e) => e.name === 'SOPHIA_REDIS_URL')!.valueFrom as { secretKeyRef: { key: string } }).secretKeyRef.key = 'REDIS_URL');
    expect(errors(objects)).toEqual(['sophia/Deployment/ledger env.secret']);
  });

  it('fails a command naming an app that does not exist, and a second image', () => {
    const objects = render('overlays/prod');
    firstContainer(find(objects, 'Deployment', 'router'))['command'] = ['node', 'apps/routr/src/main.ts'];
    firstContainer(find(objects, 'Deployment', 'ledger'))['image'] = 'ghcr.io/sophia/sophia-mesh:0.0.9';
    expect(errors(objects)).toEqual(['sophia/Deployment/router mesh.app', 'mesh mesh.image']);
  });

  describe('a pod hosting several services (node apps/mesh/src/main.ts, SOPHIA_SERVICES)', () => {
    const edgeEnv = (objects: KubeObject[]): EnvList => envOf(objects, 'edge');
    const setEnv = (objects: KubeObject[], name: string, value: string): void => {
      edgeEnv(objects).find((e) => e.name === name)!.value = value;
    };

    it('passes the co-hosted dev and prod variants', () => {
      expect(errors(render('overlays/dev-cohosted'))).toEqual([]);
      expect(errors(render('overlays/prod-cohosted'))).toEqual([]);
    });

    it('names an unknown or repeated service in SOPHIA_SERVICES', () => {
      const objects = render('overlays/prod-cohosted');
      setEnv(objects, 'SOPHIA_SERVICES', 'gateway,routr,gateway');
      const found = checkMeshServices(objects, repoFacts()).filter((f) => f.rule === 'mesh.services');
      expect(found.map((f) => f.message)).toEqual([
        'SOPHIA_SERVICES: unknown service "routr" (known: classifier, ledger, serverless-inference, gpu-inference, router, sql, gateway, mcp, or "all")',
        'SOPHIA_SERVICES: "gateway" is listed twice',
      ]);
    });

    it('fails a hosted service whose port key names no container port, and two services on one port', () => {
      const objects = render('overlays/prod-cohosted');
      setEnv(objects, 'SOPHIA_ROUTER_PORT', '50099');
      setEnv(objects, 'SOPHIA_CLASSIFIER_METRICS_PORT', '9465');
      const found = checkMeshServices(objects, repoFacts()).filter((f) => f.severity === 'error');
      expect(found.map((f) => `${f.rule} ${f.message}`)).toEqual([
        'mesh.port-env router is hosted here: SOPHIA_ROUTER_PORT must name one of the container ports, got "50099"',
        'mesh.port-env classifier and router both listen on port 9465',
      ]);
    });

    it('requires each hosted service’s metrics port to be named metrics or metrics-…, and ports and drain time for every hosted service', () => {
      const objects = render('overlays/prod-cohosted');
      const ports = firstContainer(find(objects, 'Deployment', 'edge'))['ports'] as { name: string }[];
      ports.find((p) => p.name === 'metrics-router')!.name = 'router-stats';
      setEnv(objects, 'SOPHIA_SERVICES', 'gateway,router,classifier,ledger');
      // The ledger, now hosted too, declares no ports, and a fourth drain no longer fits the grace period.
      expect(errors(objects).sort()).toEqual(['sophia/Deployment/edge mesh.grace', 'sophia/Deployment/edge mesh.port-env', 'sophia/Deployment/edge mesh.port-env', 'sophia/Deployment/edge mesh.ports']);
    });

    it('needs a grace period for every hosted service’s drain, one after another', () => {
      const objects = render('overlays/prod-cohosted');
      podSpec(find(objects, 'Deployment', 'edge'))['terminationGracePeriodSeconds'] = 30;
      const found = checkMeshServices(objects, repoFacts()).filter((f) => f.severity === 'error');
      expect(found.map((f) => f.message)).toEqual([
        'terminationGracePeriodSeconds 30 < preStop 5s + 3 × SOPHIA_SHUTDOWN_GRACE_MS 20000ms + 1s: the kubelet would kill in-flight calls',
      ]);
    });

    it('applies the hosted services’ own rules: the gateway’s API keys and HTTP probes, the router’s shared state', () => {
      const objects = render('overlays/prod-cohosted');
      const edge = firstContainer(find(objects, 'Deployment', 'edge'));
      edge['env'] = edgeEnv(objects).filter((e) => e.name !== 'SOPHIA_API_KEYS' && e.name !== 'SOPHIA_REDIS_URL');
      edge['readinessProbe'] = { grpc: { port: 50052 } };
      expect(errors(objects)).toEqual(['sophia/Deployment/edge mesh.probe-kind', 'sophia/Deployment/edge mesh.api-keys', 'sophia/Deployment/edge mesh.shared-state']);
    });
  });
});

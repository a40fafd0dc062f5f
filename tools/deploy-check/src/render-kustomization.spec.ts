import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { getPath, type KubeObject } from './kube-object.ts';
import { renderKustomization } from './render-kustomization.ts';
import { find, firstContainer, render, REPO_ROOT } from './testing/render-fixture.ts';

/** kustomize itself, when this machine has it (kubectl embeds it); undefined otherwise. */
function kustomizeCommand(): string[] | undefined {
  const candidates = [
    { command: ['kustomize', 'build'], version: ['version'] },
    { command: ['kubectl', 'kustomize'], version: ['version', '--client'] },
  ];
  for (const candidate of candidates) {
    try {
      execFileSync(candidate.command[0]!, candidate.version, { stdio: 'ignore', timeout: 10_000 });
      return candidate.command;
    } catch {
      // not installed: try the next
    }
  }
  return undefined;
}

/** JSON with object keys sorted, objects sorted by kind/namespace/name: order-free comparison. */
function canonical(objects: readonly unknown[]): string[] {
  const sortKeys = (_k: string, v: unknown): unknown => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v);
  return objects.map((o) => JSON.stringify(o, sortKeys)).sort();
}

describe('renderKustomization on deploy/', () => {
  it('renders dev with its namespace, image, one replica and HPA bounds 1..2', () => {
    const dev = render('overlays/dev');
    expect(dev.filter((o) => o.kind !== 'Namespace').every((o) => o.metadata.namespace === 'sophia-dev')).toBe(true);
    const router = find(dev, 'Deployment', 'router');
    expect(getPath(router, ['spec', 'replicas'])).toBe(1);
    expect(firstContainer(router)['image']).toBe('sophia-mesh:dev');
    const hpa = find(dev, 'HorizontalPodAutoscaler', 'ledger');
    expect([getPath(hpa, ['spec', 'minReplicas']), getPath(hpa, ['spec', 'maxReplicas'])]).toEqual([1, 2]);
    expect(getPath(find(dev, 'ConfigMap', 'sophia-config'), ['data', 'SOPHIA_SERVERLESS_BASE_URL'])).toBe('http://sim-serverless:8000/v1');
    expect(find(dev, 'StatefulSet', 'redis').metadata.namespace).toBe('sophia-dev');
  });

  it('renders prod with pinned image, regex-targeted patches and topology spread on every Deployment', () => {
    const prod = render('overlays/prod');
    const deployments = prod.filter((o) => o.kind === 'Deployment');
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(['classifier', 'gateway', 'gpu-inference', 'ledger', 'router', 'serverless-inference']);
    for (const d of deployments) {
      expect(firstContainer(d)['image']).toBe('ghcr.io/sophia/sophia-mesh:0.1.0');
      expect(getPath(d, ['spec', 'template', 'spec', 'topologySpreadConstraints'])).toHaveLength(2);
    }
    expect(getPath(find(prod, 'Deployment', 'gateway'), ['spec', 'replicas'])).toBe(3);
    expect(getPath(find(prod, 'Deployment', 'ledger'), ['spec', 'replicas'])).toBe(2);
    expect(getPath(find(prod, 'HorizontalPodAutoscaler', 'gateway'), ['spec', 'maxReplicas'])).toBe(20);
    expect(getPath(find(prod, 'HorizontalPodAutoscaler', 'serverless-inference'), ['spec', 'maxReplicas'])).toBe(16);
    expect(prod.some((o) => o.kind === 'Secret')).toBe(false);
  });

  it('adds a component as if the overlay listed it', () => {
    const withSql = render('overlays/prod', ['components/sql']);
    expect(find(withSql, 'Deployment', 'sql').metadata.namespace).toBe('sophia');
    expect(find(withSql, 'NetworkPolicy', 'gateway-to-sql').metadata.namespace).toBe('sophia');
  });

  it('deletes whole objects with a `$patch: delete` patch (kind and name regexes): the co-hosted variant', () => {
    const cohosted = render('overlays/prod-cohosted');
    const names = (kind: string): string[] => cohosted.filter((o) => o.kind === kind).map((o) => o.metadata.name).sort();
    expect(names('Deployment')).toEqual(['edge', 'gpu-inference', 'ledger', 'serverless-inference']);
    expect(names('HorizontalPodAutoscaler')).toEqual(['edge', 'gpu-inference', 'ledger', 'serverless-inference']);
    expect(names('Service')).toEqual(['classifier', 'gateway', 'gpu-inference', 'ledger', 'router', 'serverless-inference']);
    expect(find(cohosted, 'Service', 'router')['spec']).toMatchObject({ selector: { 'app.kubernetes.io/name': 'edge' }, ports: [{ port: 50052, targetPort: 'grpc-router' }, { port: 9464, targetPort: 'metrics-router' }] });
    expect(find(cohosted, 'HorizontalPodAutoscaler', 'edge')['spec']).toMatchObject({ minReplicas: 3, maxReplicas: 20 });
  });

  describe('errors', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'deploy-check-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    const write = (name: string, text: string): void => writeFileSync(join(dir, name), text);
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: "1"\n';

    it('rejects a kustomization field outside the supported subset, naming the file', () => {
      write('kustomization.yaml', 'resources: [cm.yaml]\nnamePrefix: x-\n');
      write('cm.yaml', cm);
      expect(() => renderKustomization(dir)).toThrow(/kustomization\.yaml: field "namePrefix" is not supported/);
    });

    it('rejects a patch that matches nothing and a missing resource', () => {
      write('cm.yaml', cm);
      write('kustomization.yaml', 'resources: [cm.yaml]\npatches:\n  - target: {kind: Deployment}\n    patch: "[{op: remove, path: /spec}]"\n');
      expect(() => renderKustomization(dir)).toThrow('patches[0] matches no resource');
      write('kustomization.yaml', 'resources: [missing.yaml]\n');
      expect(() => renderKustomization(dir)).toThrow('resource "missing.yaml" does not exist');
    });

    it('rejects a delete patch that matches nothing', () => {
      write('cm.yaml', cm);
      write('kustomization.yaml', 'resources: [cm.yaml]\npatches:\n  - patch: "{$patch: delete, apiVersion: v1, kind: ConfigMap, metadata: {name: other}}"\n');
      expect(() => renderKustomization(dir)).toThrow('patches[0] (delete ConfigMap/other) matches no resource');
    });

    it('rejects an object defined twice', () => {
      write('cm.yaml', `${cm}---\n${cm}`);
      write('kustomization.yaml', 'resources: [cm.yaml]\n');
      expect(() => renderKustomization(dir)).toThrow('ConfigMap/c is defined twice');
    });
  });

  const COMPARED = ['base', 'overlays/dev', 'overlays/prod', 'overlays/dev-cohosted', 'overlays/prod-cohosted'];
  const kustomize = kustomizeCommand();
  const compare = kustomize ? it.each(COMPARED) : it.skip.each(COMPARED);
  if (!kustomize) console.warn('deploy-check: neither kustomize nor kubectl is installed: skipping the comparison with real kustomize');
  compare('renders %s exactly like kustomize', (path) => {
    const dir = join(REPO_ROOT, 'deploy', path);
    const theirs = parseAllDocuments(execFileSync(kustomize![0]!, [kustomize![1]!, dir], { encoding: 'utf8', timeout: 30_000 })).map((d) => d.toJS() as KubeObject);
    expect(canonical(renderKustomization(dir))).toEqual(canonical(theirs));
  });
});

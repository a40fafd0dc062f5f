// Test helpers: the repository root, cached renders of the real overlays, and a way to edit one
// object of a copy so every spec starts from the manifests as committed.
import { join } from 'node:path';
import { cloneJson, type KubeObject } from '../kube-object.ts';
import { renderKustomization } from '../render-kustomization.ts';
import { readRepoFacts, type RepoFacts } from '../repo-facts.ts';

/** The repository root (tools/deploy-check/src/testing → ../../../..). */
export const REPO_ROOT = join(__dirname, '..', '..', '..', '..');

const cache = new Map<string, KubeObject[]>();
let facts: RepoFacts | undefined;

/** A fresh copy of the render of `deploy/<path>` (e.g. "overlays/prod"). */
export function render(path: string, components: readonly string[] = []): KubeObject[] {
  const key = `${path}|${components.join(',')}`;
  if (!cache.has(key)) cache.set(key, renderKustomization(join(REPO_ROOT, 'deploy', path), { extraComponents: components.map((c) => join(REPO_ROOT, 'deploy', c)) }));
  return cloneJson(cache.get(key)!);
}

/** Repository facts, read once per test file. */
export function repoFacts(): RepoFacts {
  facts ??= readRepoFacts(REPO_ROOT);
  return facts;
}

/** The object `kind/name` of `objects` (throws when absent, so a renamed fixture fails loudly). */
export function find(objects: readonly KubeObject[], kind: string, name: string): KubeObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`fixture has no ${kind}/${name}`);
  return found;
}

/** The first container of a workload, typed loosely for edits. */
export function firstContainer(workload: KubeObject): Record<string, unknown> {
  const spec = workload['spec'] as { template: { spec: { containers: Record<string, unknown>[] } } };
  return spec.template.spec.containers[0]!;
}

/** The pod spec of a workload, typed loosely for edits. */
export function podSpec(workload: KubeObject): Record<string, unknown> {
  return (workload['spec'] as { template: { spec: Record<string, unknown> } }).template.spec;
}

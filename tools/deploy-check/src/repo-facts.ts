// Facts read from the repository that manifests are checked against: which apps exist and have an
// entry point, which SOPHIA_* keys the code reads, which metric names the code registers, and the
// keys of the Secret template.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { serviceRegistry } from '@sophia/mesh/registry';
import { addressKey } from '@sophia/platform';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { parseAllDocuments } from 'yaml';
import { isRecord } from './kube-object.ts';

/** What the checks need to know about the repository. */
export interface RepoFacts {
  readonly appFolders: ReadonlySet<string>;
  readonly entryPoints: ReadonlySet<string>;
  readonly knownEnvKeys: ReadonlySet<string>;
  /** SOPHIA_* keys named in README.md, docs/*.md (deployment.md excluded) and project READMEs. */
  readonly documentedEnvKeys: ReadonlySet<string>;
  /** True when the docs describe the port keys as a pattern (`SOPHIA_<SERVICE>_PORT`). */
  readonly documentsPortPattern: boolean;
  readonly metricNames: ReadonlySet<string>;
  readonly secretTemplates: ReadonlyMap<string, ReadonlySet<string>>;
}

function listDirs(path: string): string[] {
  return existsSync(path) ? readdirSync(path).filter((name) => statSync(join(path, name)).isDirectory()) : [];
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules' && entry.name !== 'gen') out.push(...sourceFiles(path));
    else if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) out.push(path);
  }
  return out;
}

/** Non-test TypeScript sources of apps/, libs/ and tools/ (deploy-check itself excluded). */
export function projectSources(root: string): string[] {
  return ['apps', 'libs', 'tools'].flatMap((top) =>
    listDirs(join(root, top))
      .filter((project) => !(top === 'tools' && project === 'deploy-check'))
      .flatMap((project) => sourceFiles(join(root, top, project, 'src'))),
  );
}

/** Names of prom-client's default Node/process metrics (collectDefaultMetrics). */
export function defaultMetricNames(): string[] {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const names = registry.getMetricsAsArray().map((m) => m.name);
  registry.clear();
  return names;
}

function secretTemplateKeys(root: string): Map<string, Set<string>> {
  const file = join(root, 'deploy', 'base', 'secret.template.yaml');
  const templates = new Map<string, Set<string>>();
  if (!existsSync(file)) return templates;
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as unknown)) {
    if (!isRecord(doc) || doc['kind'] !== 'Secret' || !isRecord(doc['metadata'])) continue;
    const keys = new Set([...Object.keys(isRecord(doc['stringData']) ? doc['stringData'] : {}), ...Object.keys(isRecord(doc['data']) ? doc['data'] : {})]);
    templates.set(String(doc['metadata']['name']), keys);
  }
  return templates;
}

/** Markdown that documents configuration: the README, docs/ (but not deployment.md, which would
 * make the check circular) and every project README. */
function configurationDocs(root: string): string[] {
  const docs = [join(root, 'README.md')];
  if (existsSync(join(root, 'docs'))) docs.push(...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md') && f !== 'deployment.md').map((f) => join(root, 'docs', f)));
  for (const top of ['apps', 'libs', 'tools']) for (const project of listDirs(join(root, top))) docs.push(join(root, top, project, 'README.md'));
  return docs.filter((f) => existsSync(f));
}

/** Reads the facts from the repository at `root`. */
export function readRepoFacts(root: string): RepoFacts {
  const apps = listDirs(join(root, 'apps')).filter((a) => existsSync(join(root, 'apps', a, 'package.json')));
  // The hosting model derives each service's port and address keys from its registration.
  const envKeys = new Set<string>(['SOPHIA_SERVICES', ...serviceRegistry.flatMap((m) => [m.portKey, m.portKey.replace(/_PORT$/, '_METRICS_PORT'), addressKey(m.name)])]);
  const metricNames = new Set<string>(defaultMetricNames());
  for (const file of projectSources(root)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\bSOPHIA_[A-Z0-9_]*[A-Z0-9]\b/g)) envKeys.add(m[0]);
    if (text.includes('prom-client')) for (const m of text.matchAll(/\bname:\s*'([a-zA-Z_:][a-zA-Z0-9_:]*)'/g)) metricNames.add(m[1]!);
  }
  const documented = new Set<string>();
  let portPattern = false;
  for (const file of configurationDocs(root)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\bSOPHIA_[A-Z0-9_]*[A-Z0-9]\b/g)) documented.add(m[0]);
    if (text.includes('SOPHIA_<SERVICE>_PORT') && text.includes('SOPHIA_<SERVICE>_METRICS_PORT')) portPattern = true;
  }
  return {
    appFolders: new Set(apps),
    documentedEnvKeys: documented,
    documentsPortPattern: portPattern,
    entryPoints: new Set(apps.filter((a) => existsSync(join(root, 'apps', a, 'src', 'main.ts')))),
    knownEnvKeys: envKeys,
    metricNames,
    secretTemplates: secretTemplateKeys(root),
  };
}

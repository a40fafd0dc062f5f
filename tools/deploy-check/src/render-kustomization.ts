// A kustomize subset in TypeScript, so the overlays render offline in milliseconds (no kustomize or
// kubectl needed in CI). Supported: resources (files and directories), components, namespace,
// images and patches (strategic merge, including `$patch: delete` of whole objects, or JSON 6902,
// with targets). Every other kustomization field
// is an error naming the file, so a manifest this renderer cannot reproduce is never validated
// half-way. When kustomize is installed, render-kustomization.spec.ts compares the two outputs.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { applyJsonPatch, toJsonPatch } from './json-patch.ts';
import { isRecord, labelsAt, selects, toKubeObject, type KubeObject } from './kube-object.ts';
import { strategicMerge } from './strategic-merge.ts';

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
const SUPPORTED_FIELDS = new Set(['apiVersion', 'kind', 'resources', 'components', 'namespace', 'images', 'patches']);
/** Kinds kustomize's namespace transformer leaves alone. */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PersistentVolume',
  'StorageClass',
  'PriorityClass',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'APIService',
]);

/** A `patches` entry's target selector (kustomize semantics: kind, name and namespace are regexes). */
interface PatchTarget {
  readonly kind?: string;
  readonly name?: string;
  readonly namespace?: string;
  readonly labelSelector?: string;
}

function fail(file: string, message: string): never {
  throw new Error(`${file}: ${message}`);
}

function readYamlDocs(file: string): unknown[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  return docs
    .map((doc, i) => {
      if (doc.errors.length > 0) fail(file, `YAML document ${i + 1}: ${doc.errors[0]!.message}`);
      return doc.toJS() as unknown;
    })
    .filter((d) => d !== null && d !== undefined);
}

function kustomizationFile(dir: string): string {
  const found = KUSTOMIZATION_FILES.map((f) => join(dir, f)).find((f) => existsSync(f));
  if (found === undefined) throw new Error(`${dir}: no kustomization.yaml`);
  return found;
}

function stringList(value: unknown, file: string, field: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) fail(file, `${field} must be a list of strings`);
  return value as string[];
}

function loadResource(base: string, entry: string, file: string): KubeObject[] {
  if (/^[a-z]+:\/\//.test(entry) || entry.startsWith('github.com/')) fail(file, `remote resource "${entry}" is not supported (offline render)`);
  const path = resolve(base, entry);
  if (!existsSync(path)) fail(file, `resource "${entry}" does not exist`);
  if (statSync(path).isDirectory()) return renderDirectory(path, 'Kustomization');
  return readYamlDocs(path).map((doc, i) => toKubeObject(doc, `${relative(process.cwd(), path)} document ${i + 1}`));
}

function nameMatches(pattern: string | undefined, value: string | undefined): boolean {
  if (pattern === undefined) return true;
  return new RegExp(`^(?:${pattern})$`).test(value ?? '');
}

function labelSelectorMatches(selector: string | undefined, labels: Record<string, string>): boolean {
  if (selector === undefined) return true;
  const wanted = Object.fromEntries(
    selector
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '')
      .map((part) => {
        const [k, v] = part.split('=');
        if (k === undefined || v === undefined || part.includes('!')) throw new Error(`labelSelector "${selector}": only k=v terms are supported`);
        return [k.trim(), v.trim()];
      }),
  );
  return selects(wanted, labels);
}

function targetMatches(target: PatchTarget, obj: KubeObject): boolean {
  return (
    nameMatches(target.kind, obj.kind) &&
    nameMatches(target.name, obj.metadata.name) &&
    nameMatches(target.namespace, obj.metadata.namespace) &&
    labelSelectorMatches(target.labelSelector, labelsAt(obj, ['metadata', 'labels']))
  );
}

function parseTarget(value: unknown, file: string, index: number): PatchTarget | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value)) fail(file, `patches[${index}].target must be a mapping`);
  for (const key of Object.keys(value)) {
    if (!['kind', 'name', 'namespace', 'labelSelector', 'group', 'version'].includes(key)) fail(file, `patches[${index}].target.${key} is not supported`);
  }
  const str = (k: string): string | undefined => (typeof value[k] === 'string' ? value[k] : undefined);
  return { kind: str('kind'), name: str('name'), namespace: str('namespace'), labelSelector: str('labelSelector') };
}

function applyPatches(objects: KubeObject[], patches: unknown, dir: string, file: string): KubeObject[] {
  if (patches === undefined) return objects;
  if (!Array.isArray(patches)) fail(file, 'patches must be a list');
  let result = objects;
  patches.forEach((entry: unknown, index) => {
    if (!isRecord(entry)) fail(file, `patches[${index}] must be a mapping`);
    const target = parseTarget(entry['target'], file, index);
    const where = `${file} patches[${index}]`;
    let docs: unknown[];
    if (typeof entry['path'] === 'string') docs = readYamlDocs(resolve(dir, entry['path']));
    else if (typeof entry['patch'] === 'string') docs = parseAllDocuments(entry['patch']).map((d) => d.toJS() as unknown);
    else fail(file, `patches[${index}] needs "path" or "patch"`);
    for (const doc of docs) {
      if (Array.isArray(doc)) {
        if (target === undefined) fail(file, `patches[${index}]: a JSON 6902 patch needs a target`);
        const operations = toJsonPatch(doc, where);
        let matched = 0;
        result = result.map((obj) => (targetMatches(target, obj) ? (matched++, applyJsonPatch(obj, operations, `${where} on ${obj.kind}/${obj.metadata.name}`)) : obj));
        if (matched === 0) fail(file, `patches[${index}] matches no resource`);
        continue;
      }
      const patch = toKubeObject(doc, where);
      const selector: PatchTarget = target ?? { kind: escapeRegex(patch.kind), name: escapeRegex(patch.metadata.name) };
      let matched = 0;
      if (patch['$patch'] === 'delete') {
        // A whole-object delete (kustomize: a strategic merge patch whose top level says `$patch: delete`).
        result = result.filter((obj) => !(targetMatches(selector, obj) && ++matched > 0));
        if (matched === 0) fail(file, `patches[${index}] (delete ${patch.kind}/${patch.metadata.name}) matches no resource`);
        continue;
      }
      result = result.map((obj) => {
        if (!targetMatches(selector, obj)) return obj;
        matched++;
        // With a target, kustomize applies the patch under the target's own name.
        const named = { ...patch, metadata: { ...patch.metadata, name: obj.metadata.name } };
        return strategicMerge(obj, named, `${where} on ${obj.kind}/${obj.metadata.name}`) as KubeObject;
      });
      if (matched === 0) fail(file, `patches[${index}] (${patch.kind}/${patch.metadata.name}) matches no resource`);
    }
  });
  return result;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function splitImage(image: string): { name: string } {
  const at = image.indexOf('@');
  const withoutDigest = at === -1 ? image : image.slice(0, at);
  const colon = withoutDigest.lastIndexOf(':');
  return { name: colon > withoutDigest.lastIndexOf('/') ? withoutDigest.slice(0, colon) : withoutDigest };
}

function setImages(objects: KubeObject[], images: unknown, file: string): KubeObject[] {
  if (images === undefined) return objects;
  if (!Array.isArray(images)) fail(file, 'images must be a list');
  const rules = images.map((rule: unknown, i) => {
    if (!isRecord(rule) || typeof rule['name'] !== 'string') fail(file, `images[${i}].name is required`);
    return rule;
  });
  const rewrite = (image: string): string => {
    const { name } = splitImage(image);
    const rule = rules.find((r) => r['name'] === name);
    if (rule === undefined) return image;
    const newName = typeof rule['newName'] === 'string' ? rule['newName'] : name;
    if (typeof rule['digest'] === 'string') return `${newName}@${rule['digest']}`;
    const rest = image.slice(name.length);
    return `${newName}${rule['newTag'] !== undefined ? `:${String(rule['newTag'])}` : rest}`;
  };
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (isRecord(value)) {
      for (const [key, child] of Object.entries(value)) {
        if ((key === 'containers' || key === 'initContainers') && Array.isArray(child)) {
          for (const c of child) if (isRecord(c) && typeof c['image'] === 'string') c['image'] = rewrite(c['image']);
        }
        walk(child);
      }
    }
  };
  const copy = structuredClone(objects);
  walk(copy);
  return copy;
}

function setNamespace(objects: KubeObject[], namespace: unknown, file: string): KubeObject[] {
  if (namespace === undefined) return objects;
  if (typeof namespace !== 'string' || namespace === '') fail(file, 'namespace must be a non-empty string');
  return objects.map((obj) => (CLUSTER_SCOPED.has(obj.kind) ? obj : { ...obj, metadata: { ...obj.metadata, namespace } }));
}

function renderDirectory(dir: string, expectedKind: 'Kustomization' | 'Component', accumulated: KubeObject[] = [], extraComponents: readonly string[] = []): KubeObject[] {
  const file = kustomizationFile(dir);
  const docs = readYamlDocs(file);
  const k = docs[0];
  if (docs.length !== 1 || !isRecord(k)) fail(file, 'expected exactly one mapping');
  const kind = k['kind'] ?? 'Kustomization';
  if (kind !== expectedKind) fail(file, `kind ${String(kind)} used as a ${expectedKind}`);
  for (const key of Object.keys(k)) if (!SUPPORTED_FIELDS.has(key)) fail(file, `field "${key}" is not supported by deploy-check's renderer`);
  let objects = [...accumulated];
  for (const entry of stringList(k['resources'], file, 'resources')) objects.push(...loadResource(dir, entry, file));
  for (const entry of stringList(k['components'], file, 'components')) objects = renderDirectory(resolve(dir, entry), 'Component', objects);
  for (const extra of extraComponents) objects = renderDirectory(resolve(extra), 'Component', objects);
  objects = applyPatches(objects, k['patches'], dir, file);
  objects = setNamespace(objects, k['namespace'], file);
  objects = setImages(objects, k['images'], file);
  const seen = new Set<string>();
  for (const obj of objects) {
    const id = `${obj.kind}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
    if (seen.has(id)) fail(file, `${obj.kind}/${obj.metadata.name} is defined twice`);
    seen.add(id);
  }
  return objects;
}

/** Options for {@link renderKustomization}. */
export interface RenderOptions {
  /** Component directories applied as if listed last under the kustomization's `components`. */
  readonly extraComponents?: readonly string[];
}

/**
 * Renders the kustomization in `dir` (what `kustomize build dir` prints, as objects; order is
 * not kustomize's). Throws with the offending file for anything outside the supported subset.
 */
export function renderKustomization(dir: string, options: RenderOptions = {}): KubeObject[] {
  return renderDirectory(resolve(dir), 'Kustomization', [], options.extraComponents ?? []);
}

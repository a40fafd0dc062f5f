// The loose shape of a Kubernetes object as parsed from YAML, plus the small accessors every check
// needs. Manifests are untrusted input, so nothing here assumes a field exists.

/** A parsed manifest: apiVersion/kind/metadata are checked on load, the rest is read defensively. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [key: string]: unknown };
  [key: string]: unknown;
}

/** Plain-object test used by every walker (arrays and null are not records). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at `path` (object keys), or undefined as soon as a step is missing. */
export function getPath(value: unknown, path: readonly string[]): unknown {
  let current: unknown = value;
  for (const key of path) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** `getPath` narrowed to an array of records (missing or malformed → []). */
export function recordsAt(value: unknown, path: readonly string[]): Record<string, unknown>[] {
  const found = getPath(value, path);
  return Array.isArray(found) ? found.filter(isRecord) : [];
}

/** `getPath` narrowed to a string-to-string map (missing → {}). */
export function labelsAt(value: unknown, path: readonly string[]): Record<string, string> {
  const found = getPath(value, path);
  if (!isRecord(found)) return {};
  return Object.fromEntries(Object.entries(found).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** "Kind/name" (with "namespace/" in front when set): how findings name an object. */
export function objectRef(obj: KubeObject): string {
  return `${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ''}${obj.kind}/${obj.metadata.name}`;
}

/** Turns one parsed YAML document into a KubeObject, or says which field is missing. */
export function toKubeObject(doc: unknown, where: string): KubeObject {
  if (!isRecord(doc)) throw new Error(`${where}: expected a mapping, got ${Array.isArray(doc) ? 'a list' : typeof doc}`);
  if (typeof doc['apiVersion'] !== 'string') throw new Error(`${where}: apiVersion is required`);
  if (typeof doc['kind'] !== 'string') throw new Error(`${where}: kind is required`);
  const metadata = doc['metadata'];
  if (!isRecord(metadata) || typeof metadata['name'] !== 'string' || metadata['name'] === '') {
    throw new Error(`${where}: ${doc['kind']} has no metadata.name`);
  }
  return doc as KubeObject;
}

/** True when every selector label is on the object's labels (an empty selector selects all). */
export function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** Deep copy for JSON-shaped data (manifests never hold functions, dates or cycles). */
export function cloneJson<T>(value: T): T {
  return structuredClone(value);
}

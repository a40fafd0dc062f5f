// Resolves the environment a container will see from env, envFrom, ConfigMaps and Secrets in the
// same render. Secrets created out of band (production) are checked against the Secret template.
import { error, type Finding } from './finding.ts';
import { getPath, isRecord, labelsAt, recordsAt, type KubeObject } from './kube-object.ts';

/** One variable: its value when known (literal, ConfigMap or rendered Secret), and where it comes from. */
export interface EnvEntry {
  readonly value: string | undefined;
  readonly source: string;
}

/** What {@link resolveContainerEnv} needs besides the container. */
export interface EnvContext {
  readonly objects: readonly KubeObject[];
  readonly namespace: string | undefined;
  /** Keys of Secrets that are not rendered but created from a template (name → keys). */
  readonly secretTemplates: ReadonlyMap<string, ReadonlySet<string>>;
}

function find(ctx: EnvContext, kind: string, name: string): KubeObject | undefined {
  return ctx.objects.find((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === ctx.namespace);
}

/** A rendered Secret's value for `key` (stringData, or base64 data), undefined when not rendered. */
function secretValue(ctx: EnvContext, name: string, key: string): string | undefined {
  const secret = find(ctx, 'Secret', name);
  const plain = labelsAt(secret, ['stringData'])[key];
  if (plain !== undefined) return plain;
  const encoded = labelsAt(secret, ['data'])[key];
  return encoded === undefined ? undefined : Buffer.from(encoded, 'base64').toString('utf8');
}

function secretKeys(ctx: EnvContext, name: string): ReadonlySet<string> | undefined {
  const secret = find(ctx, 'Secret', name);
  if (secret) return new Set([...Object.keys(labelsAt(secret, ['data'])), ...Object.keys(labelsAt(secret, ['stringData']))]);
  return ctx.secretTemplates.get(name);
}

/**
 * The container's environment by name. Dangling references (a ConfigMap or Secret, or a key in
 * one, that does not exist and is not optional) are returned as findings against `subject`.
 */
export function resolveContainerEnv(container: Record<string, unknown>, ctx: EnvContext, subject: string): { env: Map<string, EnvEntry>; findings: Finding[] } {
  const env = new Map<string, EnvEntry>();
  const findings: Finding[] = [];
  for (const from of recordsAt(container, ['envFrom'])) {
    const cmName = getPath(from, ['configMapRef', 'name']);
    const secretName = getPath(from, ['secretRef', 'name']);
    const optional = getPath(from, ['configMapRef', 'optional']) === true || getPath(from, ['secretRef', 'optional']) === true;
    if (typeof cmName === 'string') {
      const cm = find(ctx, 'ConfigMap', cmName);
      if (!cm && !optional) findings.push(error(subject, 'env.configmap', `envFrom ConfigMap "${cmName}" is not in the render`));
      for (const [k, v] of Object.entries(labelsAt(cm, ['data']))) env.set(k, { value: v, source: `ConfigMap ${cmName}` });
    } else if (typeof secretName === 'string') {
      const keys = secretKeys(ctx, secretName);
      if (!keys && !optional) findings.push(error(subject, 'env.secret', `envFrom Secret "${secretName}" is neither rendered nor templated`));
      for (const k of keys ?? []) env.set(k, { value: secretValue(ctx, secretName, k), source: `Secret ${secretName}` });
    }
  }
  for (const entry of recordsAt(container, ['env'])) {
    const name = entry['name'];
    if (typeof name !== 'string') continue;
    if (typeof entry['value'] === 'string') {
      env.set(name, { value: entry['value'], source: 'env' });
      continue;
    }
    const valueFrom = entry['valueFrom'];
    if (!isRecord(valueFrom)) {
      env.set(name, { value: '', source: 'env' });
      continue;
    }
    const cmRef = valueFrom['configMapKeyRef'];
    const secretRef = valueFrom['secretKeyRef'];
    if (isRecord(cmRef)) {
      const cm = find(ctx, 'ConfigMap', String(cmRef['name']));
      const value = labelsAt(cm, ['data'])[String(cmRef['key'])];
      if (value === undefined && cmRef['optional'] !== true) {
        findings.push(error(subject, 'env.configmap', `${name}: ConfigMap "${String(cmRef['name'])}" has no key "${String(cmRef['key'])}"`));
      }
      env.set(name, { value, source: `ConfigMap ${String(cmRef['name'])}` });
    } else if (isRecord(secretRef)) {
      const keys = secretKeys(ctx, String(secretRef['name']));
      if (!keys?.has(String(secretRef['key'])) && secretRef['optional'] !== true) {
        findings.push(error(subject, 'env.secret', `${name}: Secret "${String(secretRef['name'])}" (rendered or templated) has no key "${String(secretRef['key'])}"`));
      }
      env.set(name, { value: secretValue(ctx, String(secretRef['name']), String(secretRef['key'])), source: `Secret ${String(secretRef['name'])}` });
    } else {
      env.set(name, { value: undefined, source: 'fieldRef' });
    }
  }
  return { env, findings };
}

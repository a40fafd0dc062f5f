import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/** Where configuration comes from; passed in so tests never touch `process.env`. */
export interface ConfigSource {
  /** Environment variables (usually `process.env`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * Optional JSON or YAML file of the same flat keys; `SOPHIA_CONFIG` in `env` names it when this
   * is unset. Environment values win over file values.
   */
  readonly filePath?: string | undefined;
  /**
   * Keys that other schemas parsing the same source accept (a process hosting several services):
   * not reported as unknown when found in the file.
   */
  readonly knownKeys?: ReadonlySet<string> | undefined;
}

/** Thrown when configuration is invalid; `problems` lists every bad key, not just the first. */
export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError([`SOPHIA_CONFIG: cannot read ${path}: ${(err as Error).message}`]);
  }
  let parsed: unknown;
  try {
    parsed = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ConfigError([`SOPHIA_CONFIG: ${path} is not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message}`]);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError([`SOPHIA_CONFIG: ${path} must hold a mapping of configuration keys`]);
  }
  // Scalars in the file are normalised to strings so one schema (written for env strings) parses both.
  return Object.fromEntries(
    Object.entries(parsed as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)]),
  );
}

/**
 * Parses configuration once at start: defaults ← file (`SOPHIA_CONFIG`) ← environment, through one
 * zod schema whose keys are the documented variable names. Fails fast with every bad key listed.
 */
export function loadConfig<S extends z.ZodObject>(schema: S, source: ConfigSource): z.infer<S> {
  const filePath = source.filePath ?? source.env['SOPHIA_CONFIG'];
  const fromFile = filePath ? readConfigFile(filePath) : {};
  const known = new Set(Object.keys(schema.shape));
  const problems: string[] = [];
  for (const key of Object.keys(fromFile)) {
    if (!known.has(key) && !source.knownKeys?.has(key) && key.startsWith('SOPHIA_')) problems.push(`${key}: unknown key in ${filePath}`);
  }
  const input: Record<string, unknown> = { ...fromFile };
  for (const key of known) {
    const v = source.env[key];
    if (v !== undefined && v !== '') input[key] = v;
  }
  const result = schema.safeParse(input);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const key = issue.path.map(String).join('.') || '(root)';
      problems.push(`${key}: ${issue.message}`);
    }
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  return result.data;
}

/** Zod helpers for the string-typed values every environment variable has. */
export const configValues = {
  /** A TCP port; 0 means "pick a free one". */
  port: (defaultPort: number) => z.coerce.number().int().min(0).max(65535).default(defaultPort),
  /** A positive duration in milliseconds. */
  durationMs: (def: number) => z.coerce.number().int().positive().default(def),
  /** A host:port address of another service. */
  address: () => z.string().regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port'),
  /** An http(s) base URL. */
  url: () => z.url({ protocol: /^https?$/ }),
  /** A comma-separated list, trimmed, empties dropped. */
  list: () =>
    z
      .string()
      .transform((s) => s.split(',').map((x) => x.trim()).filter((x) => x.length > 0)),
  /** "true"/"false"/"1"/"0". */
  flag: (def: boolean) =>
    z
      .enum(['true', 'false', '1', '0'])
      .default(def ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1'),
} as const;

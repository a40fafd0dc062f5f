// API keys that rotate without a restart (#15 item 3): SOPHIA_API_KEYS_FILE holds `key:tenant[:scopes]`
// entries (one per line or comma-separated, `#` comments), re-read whenever the file changes — an
// editor's save or a Kubernetes Secret update. Rotation is: add the new key, let clients move, remove
// the old one; both work during the overlap. A version that does not parse is refused as a whole,
// logged without any key, and the last valid keys stay in force.
import { createFileWatcher, type FileWatcher } from '@sophia/platform';
import { createApiKeyAuth, parseApiKeys, type ApiKeyAuth, type ApiKeyEntry } from './api-key-auth.ts';

/** The little of a logger this needs (pino fits). */
export interface KeySourceLogger {
  info(details: object, message: string): void;
  error(details: object, message: string): void;
}

/** Options for {@link createApiKeySource}. */
export interface ApiKeySourceOptions {
  /** Keys that never change (SOPHIA_API_KEYS, or local mode's generated key). */
  readonly fixed: readonly ApiKeyEntry[];
  /** SOPHIA_API_KEYS_FILE, when set. */
  readonly file?: string | undefined;
  readonly logger: KeySourceLogger;
}

/** The gateway's live keys. */
export interface ApiKeySource {
  readonly auth: ApiKeyAuth;
  /** How many keys are in force now. */
  count(): number;
  close(): void;
}

/** Parses a keys file's text; throws naming each bad entry by position (never the key). */
export function parseApiKeysFile(text: string, origin: string): ApiKeyEntry[] {
  const spec = text
    .split('\n')
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter((line) => line.length > 0)
    .join(',');
  const { entries, problems } = parseApiKeys(spec);
  if (problems.length > 0) throw new Error(`${origin}: ${problems.join('; ')}`);
  return entries;
}

/**
 * The fixed keys plus the file's, checked by one constant-time ApiKeyAuth rebuilt on every valid
 * change of the file. A key in both, or twice in the file, is a problem of that version.
 */
export function createApiKeySource(options: ApiKeySourceOptions): ApiKeySource {
  const build = (fromFile: readonly ApiKeyEntry[]): { auth: ApiKeyAuth; count: number } => {
    const fixedKeys = new Set(options.fixed.map((e) => e.key));
    const clash = fromFile.findIndex((e) => fixedKeys.has(e.key));
    if (clash !== -1) throw new Error(`${options.file}: entry ${clash + 1}: the key is also in SOPHIA_API_KEYS`);
    return { auth: createApiKeyAuth([...options.fixed, ...fromFile]), count: options.fixed.length + fromFile.length };
  };
  let watcher: FileWatcher<{ auth: ApiKeyAuth; count: number }> | undefined;
  let current = build([]);
  if (options.file !== undefined) {
    watcher = createFileWatcher(options.file, (text, origin) => build(parseApiKeysFile(text, origin)), {
      onChange: (next) => options.logger.info({ keys: next.count, file: options.file }, 'API keys reloaded'),
      onError: (err) => options.logger.error({ err: err.message }, 'API keys file rejected: the previous keys stay in force'),
    });
    current = watcher.current();
  }
  const now = (): { auth: ApiKeyAuth; count: number } => watcher?.current() ?? current;
  return {
    auth: { callerFor: (key) => now().auth.callerFor(key), tenantFor: (key) => now().auth.tenantFor(key) },
    count: () => now().count,
    close: () => watcher?.close(),
  };
}

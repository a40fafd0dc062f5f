const STORAGE_KEY = 'sophia.apiKey';

/**
 * Where the signed-in API key lives: sessionStorage (gone when the tab closes, never a cookie, so it is
 * sent only where the app sends it — the `authorization` header of its own RPCs).
 */
export interface ApiKeySession {
  get(): string | undefined;
  set(key: string): void;
  clear(): void;
}

/** The session over a Storage (sessionStorage in the app; any Storage in tests). */
export function createApiKeySession(storage: Storage): ApiKeySession {
  return {
    get: () => storage.getItem(STORAGE_KEY) ?? undefined,
    set: (key) => storage.setItem(STORAGE_KEY, key),
    clear: () => storage.removeItem(STORAGE_KEY),
  };
}

/**
 * The key carried in a URL fragment (`#key=...`, for scripted sign-in) and the fragment without it.
 * Fragments never reach the server; the caller removes the key from the address bar at once.
 */
export function keyFromFragment(hash: string): { key: string | undefined; rest: string } {
  const params = new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash);
  const key = params.get('key')?.trim() || undefined;
  params.delete('key');
  const rest = params.toString();
  return { key, rest: rest ? `#${rest}` : '' };
}

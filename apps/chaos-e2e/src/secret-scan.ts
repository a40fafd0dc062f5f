/** Where a secret was found: which secret (by name, never its value) and the first line holding it. */
export interface SecretLeak {
  readonly secret: string;
  readonly where: string;
}

/**
 * Searches texts (log lines, /metrics pages, error bodies) for secret values, whole or as a
 * 12-character fragment (a truncated key is still a leak). Returns each secret found once.
 */
export function findSecrets(texts: readonly string[], secrets: Readonly<Record<string, string>>): SecretLeak[] {
  const leaks: SecretLeak[] = [];
  for (const [name, value] of Object.entries(secrets)) {
    const probes = [value, value.slice(-12)];
    const hit = texts.find((t) => probes.some((p) => t.includes(p)));
    if (hit !== undefined) leaks.push({ secret: name, where: hit.slice(0, 160).replaceAll(value, '<redacted>') });
  }
  return leaks;
}

// The Lambda Cloud API key: from SOPHIA_LAMBDA_API_KEY, or the file SOPHIA_LAMBDA_API_KEY_FILE names
// (a mounted secret). The key is returned, never logged; errors name the variable, not the value.
import { readFileSync } from 'node:fs';

/** Reads the key from `env`; undefined when neither variable is set. @throws Error naming the file when unreadable or empty */
export function lambdaApiKey(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const direct = env['SOPHIA_LAMBDA_API_KEY']?.trim();
  if (direct) return direct;
  const file = env['SOPHIA_LAMBDA_API_KEY_FILE']?.trim();
  if (!file) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`SOPHIA_LAMBDA_API_KEY_FILE: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const key = text.trim();
  if (key === '') throw new Error(`SOPHIA_LAMBDA_API_KEY_FILE: ${file} is empty`);
  return key;
}

/** What a CLI command may touch: the environment as a parameter, and two output sinks (tests capture them). */
export interface CliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** `--name value` flags; a flag without a value or an unknown flag is an error naming it. */
export function parseFlags(args: readonly string[], known: readonly string[], booleans: readonly string[] = []): { ok: true; flags: Record<string, string> } | { ok: false; problem: string } {
  const flags: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const name = a.replace(/^--/, '');
    if (!a.startsWith('--') || (!known.includes(name) && !booleans.includes(name))) return { ok: false, problem: `unknown argument ${a}` };
    if (booleans.includes(name)) {
      flags[name] = 'true';
      continue;
    }
    const value = args[i + 1];
    if (value === undefined || value.startsWith('--')) return { ok: false, problem: `${a} needs a value` };
    flags[name] = value;
    i++;
  }
  return { ok: true, flags };
}

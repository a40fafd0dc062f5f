import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { normalise, type DocCommand } from './extract-commands.ts';

const entrySchema = z
  .object({
    /** The command exactly as a document shows it (whitespace-insensitive). */
    command: z.string().min(1),
    /** What CI runs: the command itself, or a named short form of it. */
    run: z.string().min(1).optional(),
    /** Why it is a short form (required when `run` differs from `command`). */
    short: z.string().min(1).optional(),
    /** Why it is not run (internet, a cluster, credentials, a destructive step …). */
    skip: z.string().min(1).optional(),
    /** Run against a mesh started by the check: $GATEWAY (http://host:port) and $KEY are set. */
    mesh: z.boolean().optional(),
    /** A long-running command: passes once its output matches this, then it is stopped. */
    until: z.string().min(1).optional(),
    /** Its output must match this (the documented example output, as a pattern). */
    expect: z.string().min(1).optional(),
    timeoutS: z.number().int().positive().max(900).optional(),
  })
  .strict()
  .refine((e) => (e.run === undefined) !== (e.skip === undefined), { message: 'exactly one of run / skip' })
  .refine((e) => e.run === undefined || normalise(e.run) === normalise(e.command) || e.short !== undefined, { message: 'a run that differs from the command needs `short:` saying why' });

/** One registered command. */
export type RegistryEntry = z.infer<typeof entrySchema>;

/** Reads and checks the registry file; throws naming the entry and field. */
export function loadRegistry(path: string): RegistryEntry[] {
  const parsed = z.array(entrySchema).safeParse(parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`${path}: ${parsed.error.issues.map((i) => `entry ${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

/** What the docs and the registry disagree on. */
export interface Drift {
  /** Documented commands nobody decided about (run or skip). */
  readonly unregistered: readonly DocCommand[];
  /** Registered commands no document shows any more. */
  readonly stale: readonly RegistryEntry[];
}

/** Compares the documented commands with the registry (whitespace-insensitive, exact text). */
export function findDrift(documented: readonly DocCommand[], registry: readonly RegistryEntry[]): Drift {
  const known = new Set(registry.map((e) => normalise(e.command)));
  const shown = new Set(documented.map((c) => c.command));
  const seen = new Set<string>();
  const unregistered = documented.filter((c) => !known.has(c.command) && !seen.has(c.command) && seen.add(c.command));
  return { unregistered, stale: registry.filter((e) => !shown.has(normalise(e.command))) };
}

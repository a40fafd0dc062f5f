import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { normalise, type DocCommand } from './extract-commands.ts';

/**
 * The documented run itself, on the full evaluation data, compared with the figures the docs print.
 * It runs where that data is present (`eval-data/` from `npm run data`, or `../shared/data` beside the
 * checkout, which CI has) and is reported as skipped, naming what is absent, elsewhere.
 */
const fullDataSchema = z
  .object({
    /** The command as documented (a scratch output path at most); $EVAL_DATA names the data folder. */
    run: z.string().min(1),
    /** Files or folders it reads, relative to the evaluation data folder. */
    needs: z.array(z.string().min(1)).min(1),
    /** The documented figures, as a pattern the output must match. */
    expect: z.string().min(1),
    timeoutS: z.number().int().positive().max(900).optional(),
  })
  .strict();

/** `node some/file.ts` at the start of a command or after `&&`, `;` or `|`. */
const BARE_NODE_TS = /(^|&&|;|\|)\s*node\s+\S+\.ts\b/;

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
    /** The full-data run that reproduces the documented figures (see fullDataSchema). */
    full: fullDataSchema.optional(),
  })
  .strict()
  .refine((e) => (e.run === undefined) !== (e.skip === undefined), { message: 'exactly one of run / skip' })
  .refine((e) => e.run === undefined || normalise(e.run) === normalise(e.command) || e.short !== undefined, { message: 'a run that differs from the command needs `short:` saying why' })
  // A reader's system node may be older than 22 (no type stripping): a .ts file runs through the npm scripts' Node 24 shim.
  .refine((e) => e.run === undefined || !BARE_NODE_TS.test(e.run), { message: 'runs a .ts file with the bare system `node` (fails before Node 22): document and run it as `npm run -s node24 -- <file>.ts`' });

/** One registered command. */
export type RegistryEntry = z.infer<typeof entrySchema>;

/** Reads and checks the registry file; throws naming the entry and field, or a command registered twice. */
export function loadRegistry(path: string): RegistryEntry[] {
  const parsed = z.array(entrySchema).safeParse(parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`${path}: ${parsed.error.issues.map((i) => `entry ${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const first = new Map<string, number>();
  parsed.data.forEach((e, i) => {
    const before = first.get(normalise(e.command));
    if (before !== undefined) throw new Error(`${path}: entry ${i}: ${e.command} is registered twice (also entry ${before})`);
    first.set(normalise(e.command), i);
  });
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

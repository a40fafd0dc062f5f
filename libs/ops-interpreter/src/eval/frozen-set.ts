// Held-out sets written in session 5 BEFORE any rule of that session changed, each committed on its
// own and pinned here by its SHA-256, so an edit that makes a number look better fails the tests.
//   frozen (frozen-set.jsonl, 194 commands + 81 negatives): its baseline misses were read once for
//     error analysis, so after-change figures on it are NOT blind;
//   blind (blind-set.jsonl, 103 commands + 40 negatives): written after that read and before any
//     change; only its aggregate score is ever printed (`ops eval --split blind` refuses --misses).
// Same clock as the labelled set: Wednesday 2026-12-09 10:00 UTC.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { LabelledPhrase } from './labelled-set.ts';

/** The two held-out sets and the SHA-256 each was committed with. */
export const HELD_OUT_SETS = {
  frozen: { file: 'frozen-set.jsonl', sha256: 'b1ef05d9e9fa133e7b9812ac2093e9dc28e19509ab87fd36cd24139ca3d292bf' },
  blind: { file: 'blind-set.jsonl', sha256: 'e2143edf57d16d61803220c33273bf4990cc36b016580854c871c94e054f5221' },
} as const;

/** A held-out set's name. */
export type HeldOutSet = keyof typeof HELD_OUT_SETS;

const bytes = (set: HeldOutSet): Buffer => readFileSync(new URL(`./${HELD_OUT_SETS[set].file}`, import.meta.url));

/** The file's hash as it is now, for the freeze check. */
export function heldOutHash(set: HeldOutSet): string {
  return createHash('sha256').update(bytes(set)).digest('hex');
}

/** A held-out set's phrases (split "test": measured only, never tuned on). */
export function heldOutSet(set: HeldOutSet): LabelledPhrase[] {
  return bytes(set)
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const row = JSON.parse(l) as { id: string; text: string; intent: string; args: Record<string, string | number> };
      return { id: `${set}-${row.id}`, text: row.text, intent: row.intent, args: row.args, split: 'test' as const };
    });
}

import type { RoutingExample } from './load-routellm.ts';
import { createRandom, shuffled } from './seeded-random.ts';

/** A train/test partition and the facts needed to reproduce and report it. */
export interface RoutingSplit {
  readonly train: RoutingExample[];
  readonly test: RoutingExample[];
  readonly seed: number;
  readonly testFraction: number;
  readonly testSubjects: string[];
}

/**
 * Holds out a seeded `testFraction` of MMLU *subjects* (whole subjects, so no topic leaks into training)
 * and the same fraction of GSM8K *prompts*. Deterministic for a given seed and input order.
 */
export function splitRouteLlm(examples: ReadonlyArray<RoutingExample>, seed: number, testFraction: number): RoutingSplit {
  if (!(testFraction > 0 && testFraction < 1)) throw new Error('testFraction must be in (0, 1)');
  const random = createRandom(seed);
  const subjects = [...new Set(examples.filter((e) => e.dataset === 'mmlu').map((e) => e.group))].sort();
  const testSubjects = shuffled(subjects, random)
    .slice(0, Math.round(subjects.length * testFraction))
    .sort();
  const heldSubjects = new Set(testSubjects);
  const gsm = examples.filter((e) => e.dataset === 'gsm8k');
  const gsmOrder = shuffled(
    gsm.map((_, i) => i),
    random,
  );
  const gsmTest = new Set(gsmOrder.slice(0, Math.round(gsm.length * testFraction)));
  const train: RoutingExample[] = [];
  const test: RoutingExample[] = [];
  let gsmIndex = 0;
  for (const example of examples) {
    if (example.dataset === 'gsm8k') {
      (gsmTest.has(gsmIndex++) ? test : train).push(example);
    } else {
      (heldSubjects.has(example.group) ? test : train).push(example);
    }
  }
  return { train, test, seed, testFraction, testSubjects };
}

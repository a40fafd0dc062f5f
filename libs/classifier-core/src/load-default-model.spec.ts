import { createClassifier } from './create-classifier.ts';
import { loadDefaultModel } from './load-default-model.ts';

describe('loadDefaultModel', () => {
  it('loads and validates the committed weights', () => {
    const model = loadDefaultModel();
    expect(model.version).toMatch(/^routellm-lr-[0-9a-f]{12}$/);
    expect(model.thresholds.balanced).toBeLessThanOrEqual(model.thresholds.complex);
    // No word vocabulary: across unseen MMLU subjects words encoded the subject, not the difficulty.
    expect(model.words).toEqual({});
    expect(Object.keys(model.calibrationByKind ?? {}).sort()).toEqual(['multiple_choice', 'open']);
    expect(loadDefaultModel()).toBe(model);
  });

  it('classifies with the committed weights', () => {
    const result = createClassifier(loadDefaultModel()).classify([{ role: 'user', content: 'What is the capital of France?' }]);
    expect(result.score).toBeGreaterThanOrEqual(0);
    expect(result.score).toBeLessThanOrEqual(1);
    expect(result.modelVersion).toBe(loadDefaultModel().version);
  });

  // Generalisation probe: the training labels cover only MMLU and GSM8K, so check the committed model on
  // prompts unlike either. Each pair is (plainly easy, plainly hard) for a small model; the trained score
  // must order most of them. The pairs are fixed here and were not used to choose features or weights.
  const PAIRS: ReadonlyArray<readonly [string, string]> = [
    ['Say hello in one short sentence.', 'Prove that there are infinitely many primes.'],
    ['hi', 'Implement a lock-free concurrent hash map in C++ with resize support and explain the memory ordering.'],
    ['What is the capital of France?', 'Explain why the Riemann hypothesis implies a bound on the error term of the prime counting function.'],
    ['Write a haiku about autumn.', 'Write a Python function that parses a CSV file with quoted fields and embedded newlines, and returns a list of dicts; include tests.'],
    ['Translate "good morning" into Spanish.', 'A train leaves at 3:15 pm travelling at 84 km/h; a second leaves the same station 40 minutes later at 105 km/h. At what time and distance does the second catch the first? Show your reasoning.'],
    ['Thanks!', 'Given a table orders(id, customer_id, amount, created_at) and customers(id, region), write a SQL query for the month-over-month revenue growth per region, with a window function, for the last 12 months.'],
    ['What colour is the sky?', 'Design a distributed rate limiter for a multi-region API gateway that tolerates network partitions; compare token bucket and sliding window approaches and their consistency trade-offs.'],
    ['Give me a synonym for happy.', 'Solve for all real x: x^4 - 5x^2 + 4 = 0, and prove there are no other solutions.'],
    ['Summarize: The cat sat on the mat.', 'Debug this: my React component re-renders infinitely when I call setState inside useEffect without a dependency array. Explain the cause and fix it.'],
    ['Is 7 an odd number?', 'If 3 workers build 2 walls in 5 days, how many days do 7 workers need to build 9 walls, assuming equal rates? Explain each step.'],
  ];

  it('orders plainly easy below plainly hard prompts outside its training domains (≥ 8 of 10 pairs)', () => {
    const classifier = createClassifier(loadDefaultModel());
    const score = (prompt: string): number => classifier.classify([{ role: 'user', content: prompt }]).score;
    const misordered = PAIRS.filter(([easy, hard]) => !(score(hard) > score(easy))).map(([easy, hard]) => `${easy} ≥ ${hard.slice(0, 40)}…`);
    expect(misordered.length).toBeLessThanOrEqual(2);
  });

  it('gives no one-word greeting a complex tier', () => {
    const classifier = createClassifier(loadDefaultModel());
    for (const prompt of ['hi', 'hello', 'Say hello in one short sentence.', 'thanks!']) {
      expect(classifier.classify([{ role: 'user', content: prompt }]).tier).not.toBe('complex');
    }
  });
});

import { DEMAND_FEATURE_NAMES, demandFeatures } from './demand-features.ts';

const counts = (text: string) => new Map(demandFeatures(text).map(([name, value]) => [name, Math.round(Math.expm1(value))]));

describe('demandFeatures', () => {
  it('returns every named feature in order, all zero for an empty text', () => {
    const features = demandFeatures('');
    expect(features.map(([name]) => name)).toEqual([...DEMAND_FEATURE_NAMES]);
    for (const [, value] of features) expect(value).toBe(0);
  });

  it('sees a proof request and the mathematical terms it is about', () => {
    const f = counts('Prove that there are infinitely many primes.');
    expect(f.get('log_proof_cues')).toBe(1);
    expect(f.get('log_math_terms')).toBe(2);
    expect(f.get('log_code_cues')).toBe(0);
  });

  it('sees a request for code, by its verb, its language and a fence', () => {
    const f = counts('Write a function in Python that returns the nth Fibonacci number.\n```\ndef fib(n):\n```');
    // "write a function", "Python", both fences, "def fib(".
    expect(f.get('log_code_cues')).toBe(5);
  });

  it('counts computation, steps, constraints and hypotheticals', () => {
    const f = counts('First compute the total, then explain step by step. Use at most 3 lines and do not round. If x > 2, suppose y = 1.');
    expect(f.get('log_compute_cues')).toBe(1);
    expect(f.get('log_step_cues')).toBe(3);
    expect(f.get('log_constraint_cues')).toBe(2);
    expect(f.get('log_conditionals')).toBe(2);
  });

  it('counts single-letter symbols but not the words "a" and "I" nor option letters', () => {
    const f = counts('I think a value x with f(x) = n.\nA. 1\nB. 2');
    // x, f, x, n — not "I", "a", nor the B of "B. 2".
    expect(f.get('log_variables')).toBe(4);
  });

  it('stays linear on a flood of one-letter words', () => {
    const f = counts('x '.repeat(100_000));
    expect(f.get('log_variables')).toBe(100_000);
  });
});

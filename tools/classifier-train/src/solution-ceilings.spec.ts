import path from 'node:path';
import { loadGsm8kSolutions } from './load-gsm8k-solutions.ts';
import { loadRouteLlm, type RoutingExample } from './load-routellm.ts';
import { PRIVILEGED_ROUTERS, solutionCeilings } from './solution-ceilings.ts';

const FIXTURE = path.join(__dirname, 'fixtures');

describe('solutionCeilings', () => {
  const examples = loadRouteLlm(FIXTURE);
  const solutions = loadGsm8kSolutions(FIXTURE);

  it('lines the solutions up with the GSM8K prompts and scores every privileged router', () => {
    const gsm8k = examples.filter((e) => e.dataset === 'gsm8k');
    expect(solutions.size).toBe(gsm8k.length);
    expect(solutions.get(gsm8k[0]!.prompt)).toMatchObject({ weakResponse: '5', strongResponse: '5' });
    const rows = solutionCeilings('gsm8k', examples, solutions);
    expect(rows.map((r) => r.router)).toEqual(PRIVILEGED_ROUTERS.map((r) => r.name));
    for (const row of rows) expect(row.metrics.count).toBe(gsm8k.length);
  });

  it('the label oracle recovers the whole gap when every weak failure is a strong success', () => {
    const ex = (prompt: string, weakCorrect: boolean): RoutingExample => ({ dataset: 'gsm8k', group: 'gsm8k', prompt, weakCorrect, strongCorrect: true });
    const set = [ex('a', true), ex('b', false), ex('c', true), ex('d', true)];
    const solved = new Map(set.map((e) => [e.prompt, { prompt: e.prompt, weakResponse: 'x', strongResponse: 'y = 1' }]));
    const oracle = solutionCeilings('t', set, solved).find((r) => r.router.startsWith('oracle'))!;
    // One prompt in four needs the strong model: 95 % quality needs 0.95 × 4 − 3 = 0.8 of it → 20 % calls.
    expect(oracle.metrics.strongShareAtTarget).toBeCloseTo(0.2, 12);
    expect(() => solutionCeilings('t', [ex('unknown', true)], solved)).toThrow('no solutions');
  });
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadRouteLlm } from './load-routellm.ts';
import { splitRouteLlm } from './split-routellm.ts';

const FIXTURE = path.join(__dirname, 'fixtures');

describe('loadRouteLlm + splitRouteLlm', () => {
  const examples = loadRouteLlm(FIXTURE);

  it('reads GSM8K and every MMLU subject with labels', () => {
    expect(examples.filter((e) => e.dataset === 'gsm8k')).toHaveLength(6);
    expect([...new Set(examples.filter((e) => e.dataset === 'mmlu').map((e) => e.group))]).toEqual(['alpha', 'beta', 'gamma']);
    expect(examples[1]).toMatchObject({ weakCorrect: false, strongCorrect: true });
    expect(examples.find((e) => e.group === 'alpha')?.prompt).toContain('\nA. Red\n');
  });

  it('holds out whole MMLU subjects and a share of GSM8K prompts, reproducibly', () => {
    const split = splitRouteLlm(examples, 42, 1 / 3);
    expect(split.testSubjects).toHaveLength(1);
    const trainSubjects = new Set(split.train.filter((e) => e.dataset === 'mmlu').map((e) => e.group));
    for (const subject of split.testSubjects) expect(trainSubjects.has(subject)).toBe(false);
    expect(split.test.filter((e) => e.dataset === 'gsm8k')).toHaveLength(2);
    expect(split.train.length + split.test.length).toBe(examples.length);
    expect(splitRouteLlm(examples, 42, 1 / 3)).toEqual(split);
    expect(() => splitRouteLlm(examples, 42, 1)).toThrow('testFraction');
  });

  it('names the file, row and column of a bad label', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'routellm-'));
    try {
      mkdirSync(path.join(dir, 'routellm/mmlu'), { recursive: true });
      writeFileSync(
        path.join(dir, 'routellm/gsm8k_responses.csv'),
        'prompt,mistralai/Mixtral-8x7B-Instruct-v0.1,gpt-4-1106-preview\nq,True,maybe\n',
      );
      expect(() => loadRouteLlm(dir)).toThrow(/gsm8k_responses\.csv row 2 column gpt-4-1106-preview: expected True or False, got "maybe"/);
      writeFileSync(path.join(dir, 'routellm/gsm8k_responses.csv'), 'question,a,b\n');
      expect(() => loadRouteLlm(dir)).toThrow(/header must contain prompt/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

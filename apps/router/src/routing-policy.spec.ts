import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDefaultModel } from '@sophia/classifier-core';
import { createPolicyWatcher } from './policy-watcher.ts';
import { EMPTY_POLICY, parseRoutingPolicy, PolicyValidationError } from './routing-policy.ts';
import { splitDraw } from './split-draw.ts';

const defaultPath = join(__dirname, '../policy/default.yaml');

function issuesOf(text: string): readonly string[] {
  try {
    parseRoutingPolicy(text, 'test.yaml');
  } catch (err) {
    if (err instanceof PolicyValidationError) return err.issues;
    throw err;
  }
  throw new Error('expected a PolicyValidationError');
}

describe('routing policy file', () => {
  it('the committed default is valid and its levels are the classifier model\'s measured thresholds', () => {
    const policy = parseRoutingPolicy(readFileSync(defaultPath, 'utf8'), defaultPath);
    const model = loadDefaultModel();
    expect(policy.quality.levels['standard']).toMatchObject({ balanced: model.thresholds.balanced, complex: model.thresholds.complex });
    // economy = 90 % / 85 %, premium = 98 % / 95 % of strong quality, from the model's evaluation.
    const measured = model.evaluation?.['qualityThresholds'] as Record<string, number>;
    expect(policy.quality.levels['economy']).toMatchObject({ balanced: measured['0.9'], complex: measured['0.85'] });
    expect(policy.quality.levels['premium']).toMatchObject({ balanced: measured['0.98'], complex: measured['0.95'] });
    expect(policy.quality.default).toBe('standard');
  });

  it('accepts JSON as well as YAML, with defaults for omitted sections', () => {
    const policy = parseRoutingPolicy('{"version": 1, "gpu_share": {"simple": 0.2}}');
    expect(policy.gpu_share).toEqual({ simple: 0.2 });
    expect(policy.tenants).toEqual({});
    expect(EMPTY_POLICY.quality.levels).toEqual({});
  });

  it.each([
    ['version: 2', 'version: Invalid input: expected 1'],
    ['version: 1\ngpu_share: { simple: 1.5 }', 'gpu_share.simple: Too big: expected number to be <=1'],
    ['version: 1\ngpu_share: { huge: 0.5 }', 'gpu_share: Unrecognized key: "huge"'],
    ['version: 1\nquality: { levels: { odd: { target: 0.5, balanced: 0.6, complex: 0.4 } } }', 'quality.levels.odd.balanced: balanced must be <= complex'],
    [
      'version: 1\nquality: { levels: { low: { target: 0.2, balanced: 0.3, complex: 0.4 }, high: { target: 0.9, balanced: 0.5, complex: 0.6 } } }',
      "quality.levels.high: target 0.9 is above level 'low' (0.2) but its thresholds are higher: a higher target must not use the larger tiers less",
    ],
    ['version: 1\nquality: { levels: { a: { target: 0.5, balanced: 0.3, complex: 0.4 }, b: { target: 0.5, balanced: 0.2, complex: 0.3 } } }', "quality.levels.b.target: same target as level 'a' (0.5)"],
    ['version: 1\nquality: { levels: { a: { target: 0.5, balanced: 0.1, complex: 0.4 } } }\ntenants: { acme: { quality: gold } }', "tenants.acme.quality: unknown quality level 'gold' (levels: a)"],
    ['version: 1\nquality: { default: 0.5, levels: {} }', 'quality.default: a numeric quality target needs quality.levels to interpolate'],
    ['version: 1\ngpu_capacity: { prefer_idle_gpu_for: [huge] }', 'gpu_capacity.prefer_idle_gpu_for[0]: Invalid option: expected one of "simple"|"balanced"|"complex"'],
    ['version: 1\nbudget: { step_down_at_utilisation: -1 }', 'budget.step_down_at_utilisation: Too small: expected number to be >=0'],
    ['version: 1\ntenant: {}', '(root): Unrecognized key: "tenant"'],
    ['version: [1', 'not valid YAML/JSON'],
  ])('rejects %j naming the path', (text, expected) => {
    expect(issuesOf(text).some((i) => i.includes(expected))).toBe(true);
  });
});

describe('policy watcher', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'router-policy-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('installs a valid edit and keeps the last valid policy on a bad one, reporting it', () => {
    const path = join(dir, 'policy.yaml');
    writeFileSync(path, 'version: 1\ngpu_share: { simple: 0.1 }\n');
    const errors: Error[] = [];
    const changes: unknown[] = [];
    const watcher = createPolicyWatcher(path, { onError: (e) => errors.push(e), onChange: (p) => changes.push(p) });
    try {
      expect(watcher.current().gpu_share.simple).toBe(0.1);
      writeFileSync(path, 'version: 1\ngpu_share: { simple: 0.3 }\n');
      expect(watcher.reload()).toBe(true);
      expect(watcher.current().gpu_share.simple).toBe(0.3);
      writeFileSync(path, 'version: 1\ngpu_share: { simple: 3 }\n');
      expect(watcher.reload()).toBe(false);
      expect(watcher.current().gpu_share.simple).toBe(0.3);
      expect(errors[0]?.message).toMatch(/gpu_share\.simple/);
      expect(changes).toHaveLength(1);
    } finally {
      watcher.close();
    }
  });

  it('fails fast on an invalid file at start', () => {
    const path = join(dir, 'policy.yaml');
    writeFileSync(path, 'version: 1\nsurprise: true\n');
    expect(() => createPolicyWatcher(path)).toThrow(/surprise/);
  });
});

describe('splitDraw', () => {
  it('is deterministic per request id, in [0, 1), and close to uniform', () => {
    expect(splitDraw('req-42')).toBe(splitDraw('req-42'));
    const draws = Array.from({ length: 10_000 }, (_, i) => splitDraw(`req-${i}`));
    expect(draws.every((d) => d >= 0 && d < 1)).toBe(true);
    const share = draws.filter((d) => d < 0.2).length / draws.length;
    expect(share).toBeGreaterThan(0.18);
    expect(share).toBeLessThan(0.22);
  });
});

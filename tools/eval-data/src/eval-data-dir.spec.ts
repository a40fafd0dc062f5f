import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { evalDataDir, invocationDir, MissingEvalDataError, requireEvalData } from './eval-data-dir.ts';

describe('evalDataDir', () => {
  let top: string;
  let repo: string;
  beforeEach(() => {
    top = mkdtempSync(path.join(tmpdir(), 'sophia-eval-dir-'));
    repo = path.join(top, 'checkout');
    mkdirSync(repo);
  });
  afterEach(() => rmSync(top, { recursive: true, force: true }));

  it('takes --data as given: absolute, or relative to the current folder', () => {
    expect(evalDataDir(repo, '/abs/data')).toBe('/abs/data');
    expect(evalDataDir(repo, 'rel/data', '/home/u')).toBe('/home/u/rel/data');
  });

  it('resolves from where `npm run` was typed (INIT_CWD), not the workspace npm -w runs the script in', () => {
    expect(invocationDir({ INIT_CWD: '/home/u/checkout' })).toBe('/home/u/checkout');
    expect(invocationDir({})).toBe(process.cwd());
    expect(invocationDir({ INIT_CWD: '' })).toBe(process.cwd());
  });

  it('prefers ./eval-data, then ../shared/data beside the checkout, else names ./eval-data', () => {
    expect(evalDataDir(repo)).toBe(path.join(repo, 'eval-data'));
    mkdirSync(path.join(top, 'shared', 'data'), { recursive: true });
    expect(evalDataDir(repo)).toBe(path.join(top, 'shared', 'data'));
    mkdirSync(path.join(repo, 'eval-data'));
    expect(evalDataDir(repo)).toBe(path.join(repo, 'eval-data'));
  });

  it('names a missing file and the command that fetches it', () => {
    writeFileSync(path.join(top, 'here.csv'), '');
    expect(requireEvalData(top, 'here.csv')).toBe(path.join(top, 'here.csv'));
    expect(() => requireEvalData(top, 'routellm/gsm8k_responses.csv')).toThrow(MissingEvalDataError);
    expect(() => requireEvalData(top, 'routellm/gsm8k_responses.csv')).toThrow(/routellm\/gsm8k_responses\.csv not found: fetch the evaluation data with `npm run data`/);
  });
});

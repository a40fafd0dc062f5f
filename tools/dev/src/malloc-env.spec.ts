import { mallocEnv, MMAP_THRESHOLD_KEY } from './malloc-env.ts';

describe('mallocEnv', () => {
  it('fixes glibc mmap threshold at 64 KiB for every mesh process, unless the operator set one', () => {
    expect(mallocEnv({})).toEqual({ [MMAP_THRESHOLD_KEY]: '65536' });
    expect(mallocEnv({ [MMAP_THRESHOLD_KEY]: '131072' })).toEqual({});
  });
});

import { withHeapLimit } from './heap-limit.ts';

describe('withHeapLimit', () => {
  it('adds an old-space limit and a small young generation to empty or other NODE_OPTIONS', () => {
    expect(withHeapLimit(undefined, 192)).toBe('--max-old-space-size=192 --max-semi-space-size=4');
    expect(withHeapLimit('  --enable-source-maps ', 128)).toBe('--enable-source-maps --max-old-space-size=128 --max-semi-space-size=4');
  });

  it('keeps a limit the operator already set, in either spelling, and adds only what is missing', () => {
    expect(withHeapLimit('--max-old-space-size=512', 192)).toBe('--max-old-space-size=512 --max-semi-space-size=4');
    expect(withHeapLimit('--inspect --max_old_space_size=64', 192)).toBe('--inspect --max_old_space_size=64 --max-semi-space-size=4');
    expect(withHeapLimit('--max-semi-space-size=16', 192)).toBe('--max-semi-space-size=16 --max-old-space-size=192');
    expect(withHeapLimit('--max_semi_space_size=8 --max-old-space-size=300', 192)).toBe('--max_semi_space_size=8 --max-old-space-size=300');
  });
});

import { withHeapLimit } from './heap-limit.ts';

describe('withHeapLimit', () => {
  it('adds an old-space limit to empty or other NODE_OPTIONS', () => {
    expect(withHeapLimit(undefined, 192)).toBe('--max-old-space-size=192');
    expect(withHeapLimit('  --enable-source-maps ', 128)).toBe('--enable-source-maps --max-old-space-size=128');
  });

  it('keeps a limit the operator already set, in either spelling', () => {
    expect(withHeapLimit('--max-old-space-size=512', 192)).toBe('--max-old-space-size=512');
    expect(withHeapLimit('--inspect --max_old_space_size=64', 192)).toBe('--inspect --max_old_space_size=64');
  });
});

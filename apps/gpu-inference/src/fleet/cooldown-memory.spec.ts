import { createCooldownMemory } from './cooldown-memory.ts';

describe('createCooldownMemory', () => {
  it('raises at once and lowers only after the cool-down', () => {
    const memory = createCooldownMemory();
    expect(memory.hold('simple', 0, 2, 5)).toBe(2);
    expect(memory.hold('simple', 1, 0, 5)).toBe(2);
    expect(memory.hold('simple', 4, 1, 5)).toBe(2);
    expect(memory.hold('simple', 5, 0, 5)).toBe(1);
    expect(memory.hold('simple', 9, 0, 5)).toBe(0);
    expect(memory.hold('simple', 10, 3, 5)).toBe(3);
    expect(memory.hold('other', 10, 0, 5)).toBe(0);
  });
});

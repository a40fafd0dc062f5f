import { HELD_OUT_SETS, heldOutHash, heldOutSet, type HeldOutSet } from './frozen-set.ts';
import { isCommandIntent, validateCommand } from '../command-schema.ts';

describe('held-out sets', () => {
  it.each(Object.keys(HELD_OUT_SETS) as HeldOutSet[])('%s is byte-for-byte the committed set', (set) => {
    expect(heldOutHash(set)).toBe(HELD_OUT_SETS[set].sha256);
  });

  it.each(Object.keys(HELD_OUT_SETS) as HeldOutSet[])('%s: every label is a valid command or none, ids unique', (set) => {
    const items = heldOutSet(set);
    expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
    for (const item of items) {
      if (item.intent === 'none') continue;
      expect(isCommandIntent(item.intent)).toBe(true);
      if (isCommandIntent(item.intent)) expect(validateCommand(item.intent, item.args)).toMatchObject({ ok: true });
    }
  });
});

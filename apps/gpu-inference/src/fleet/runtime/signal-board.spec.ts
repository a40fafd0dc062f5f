import { createSignalBoard } from './signal-board.ts';

describe('createSignalBoard', () => {
  it('unites the reports of the last staleMs and forgets older ones', () => {
    let now = 0;
    const board = createSignalBoard({ now: () => now, staleMs: 10 });
    board.report(['simple'], []);
    now = 5;
    board.report(['complex'], ['balanced']);
    expect(board.current()).toEqual({ serverlessBreakerOpen: new Set(['simple', 'complex']), gpuOverride: new Set(['balanced']) });
    now = 12;
    expect(board.current()).toEqual({ serverlessBreakerOpen: new Set(['complex']), gpuOverride: new Set(['balanced']) });
    now = 16;
    expect(board.current()).toEqual({ serverlessBreakerOpen: new Set(), gpuOverride: new Set() });
  });
});

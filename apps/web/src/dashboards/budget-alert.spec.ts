import { alertLevel } from './budget-alert.ts';

describe('alertLevel', () => {
  it('flags 50, 80 and 100 % at and above each threshold', () => {
    expect([0, 0.49, 0.5, 0.79, 0.8, 0.99, 1, 3.2].map(alertLevel)).toEqual([undefined, undefined, 50, 50, 80, 80, 100, 100]);
  });
});

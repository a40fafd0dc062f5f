import { exactCeilDiv } from './exact-ceil-div.ts';

function reference(a: number, x: number, b: number, y: number, d: number): bigint {
  const n = BigInt(a) * BigInt(x) + BigInt(b) * BigInt(y);
  return (n + BigInt(d) - 1n) / BigInt(d);
}

describe('exactCeilDiv', () => {
  it('rounds up only when there is a remainder', () => {
    expect(exactCeilDiv(1000, 25_000, 500, 40_000, 1_000_000)).toBe(45);
    expect(exactCeilDiv(1, 25_000, 0, 40_000, 1_000_000)).toBe(1);
    expect(exactCeilDiv(40, 25_000, 0, 0, 1_000_000)).toBe(1);
    expect(exactCeilDiv(41, 25_000, 0, 0, 1_000_000)).toBe(2);
    expect(exactCeilDiv(0, 25_000, 0, 40_000, 1_000_000)).toBe(0);
  });

  it('matches BigInt arithmetic across the safe-integer boundary', () => {
    let seed = 42;
    const rand = (max: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return Math.floor((seed / 2147483648) * max);
    };
    const cases: Array<[number, number, number, number, number]> = [
      [4_294_967_295, 100_000_000, 4_294_967_295, 100_000_000, 1_000_000],
      [2 ** 31, 2 ** 22, 3, 7, 3],
      [Number.MAX_SAFE_INTEGER, 1, 0, 0, 7],
    ];
    for (let i = 0; i < 2000; i++) {
      cases.push([rand(4_294_967_296), rand(2 ** 31), rand(4_294_967_296), rand(2 ** 31), 1 + rand(2 ** 31)]);
    }
    for (const [a, x, b, y, d] of cases) {
      expect(BigInt(exactCeilDiv(a, x, b, y, d))).toBe(reference(a, x, b, y, d));
    }
  });

  it('adds the third term exactly, across the safe-integer boundary too', () => {
    // 1000 × 25,000 + 500 × 40,000 + 4000 × 12,500 = 95,000,000 → 95
    expect(exactCeilDiv(1000, 25_000, 500, 40_000, 1_000_000, 4000, 12_500)).toBe(95);
    expect(exactCeilDiv(0, 0, 0, 0, 1_000_000, 1, 1)).toBe(1);
    const big = 4_294_967_295;
    const expected = (BigInt(big) * 100_000_000n * 3n + 999_999n) / 1_000_000n;
    expect(BigInt(exactCeilDiv(big, 100_000_000, big, 100_000_000, 1_000_000, big, 100_000_000))).toBe(expected);
  });

  it('refuses results beyond the safe integer range instead of rounding them', () => {
    expect(() => exactCeilDiv(Number.MAX_SAFE_INTEGER, 4, 0, 0, 1)).toThrow(RangeError);
  });
});

// Exact ceil((a·x + b·y + c·z) / d) for non-negative integers. Plain numbers while every intermediate is a
// safe integer (the common case: per-request costs are small), BigInt otherwise, so the result is
// exact either way and never rounds down (we never under-bill).

/**
 * ceil((a*x + b*y + c*z) / d), exact (the third term: cached prompt tokens at their own rate);
 * throws RangeError when the result itself is not a safe integer.
 */
export function exactCeilDiv(a: number, x: number, b: number, y: number, d: number, c = 0, z = 0): number {
  const ax = a * x;
  const by = b * y;
  const cz = c * z;
  const sum = ax + by + cz;
  if (Number.isSafeInteger(ax) && Number.isSafeInteger(by) && Number.isSafeInteger(cz) && Number.isSafeInteger(sum)) {
    const remainder = sum % d;
    return (sum - remainder) / d + (remainder > 0 ? 1 : 0);
  }
  const n = BigInt(a) * BigInt(x) + BigInt(b) * BigInt(y) + BigInt(c) * BigInt(z);
  const bd = BigInt(d);
  const q = n / bd + (n % bd > 0n ? 1n : 0n);
  const result = Number(q);
  if (!Number.isSafeInteger(result)) throw new RangeError(`cost ${q} micro-USD exceeds the safe integer range`);
  return result;
}

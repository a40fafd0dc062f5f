/** The highest alert level a utilisation (the ledger's (spent + reserved) ÷ limit) has reached: 100, 80, 50 or none. */
export function alertLevel(utilisation: number): 100 | 80 | 50 | undefined {
  if (utilisation >= 1) return 100;
  if (utilisation >= 0.8) return 80;
  if (utilisation >= 0.5) return 50;
  return undefined;
}

import { loadCatalog } from '@sophia/price-catalog';
import { fleetPolicySchema } from './fleet-policy.ts';
import { fleetPoolsFromCatalog } from './fleet-pool.ts';
import { nextLaunch } from './launch-priority.ts';

const policy = fleetPolicySchema.parse({ version: 1 });
const pools = fleetPoolsFromCatalog(loadCatalog());
const pool = (tier: string) => pools.find((p) => p.tier === tier)!;
// Tokens per request as the trace generator's default mix has them: 200 (8B), 300 (70B), 400 (405B).
const simple = { pool: pool('simple'), missingTokensPerMinute: 400_000, requestsPerToken: 1 / 200 };
const balanced = { pool: pool('balanced'), missingTokensPerMinute: 60_000, requestsPerToken: 1 / 300 };
const complex = { pool: pool('complex'), missingTokensPerMinute: 40_000, requestsPerToken: 1 / 400 };
const roomy = { instances: 100, microUsdPerHour: 1_000_000_000 };

describe('nextLaunch', () => {
  it("takes each pool's own cheapest choice, in tier order, while the caps hold every short pool", () => {
    expect(nextLaunch(policy, [complex, simple], roomy)).toMatchObject({ tier: 'complex', option: { instanceType: 'gpu_8x_a100_80gb_sxm4' } });
    expect(nextLaunch(policy, [simple, balanced, complex], roomy)).toMatchObject({ tier: 'simple' });
    expect(nextLaunch(policy, [], roomy)).toBeUndefined();
  });

  it('gives a scarce instance slot to the pool and type carrying the most requests in it', () => {
    // Two slots for three short pools: a 1×H100 SXM5 of the 8B tier carries 300,000 tok/min × 80 % / 200 =
    // 1,200 requests a minute; the 70B tier's best carries 25,200 × 0.8 / 300 = 67; the 405B tier's 8×H100 80.
    const scarce = { instances: 2, microUsdPerHour: 1_000_000_000 };
    expect(nextLaunch(policy, [complex, balanced, simple], scarce)).toMatchObject({ tier: 'simple', option: { instanceType: 'gpu_1x_h100_sxm5' } });
    // Without the 8B tier: the 405B tier's 8×H100 (all 40,000 missing tok/min, 80 requests) before the 70B tier's SXM5 (67).
    expect(nextLaunch(policy, [balanced, complex], scarce)).toMatchObject({ tier: 'complex', option: { instanceType: 'gpu_8x_h100_sxm5' } });
  });

  it('under a scarce spend cap compares requests per dollar, among types that still fit', () => {
    // $16/h left: no 8×H100 ($34.32) fits; an 8×A100 ($14.32) carries 36,000 × 0.8 / 400 = 72 requests a
    // minute for 90 % of it, a 70B SXM5 ($4.29) 67 for 27 %.
    const spend = { instances: 10, microUsdPerHour: 16_000_000 };
    expect(nextLaunch(policy, [complex, balanced], spend)).toMatchObject({ tier: 'balanced', option: { instanceType: 'gpu_1x_h100_sxm5' } });
    expect(nextLaunch(policy, [complex], spend)).toMatchObject({ tier: 'complex', option: { instanceType: 'gpu_8x_a100_80gb_sxm4' } });
  });
});

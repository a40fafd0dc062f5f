import { loadCatalog } from '@sophia/price-catalog';
import { fleetPolicySchema } from './fleet-policy.ts';
import { fleetPoolsFromCatalog } from './fleet-pool.ts';
import { chooseInstanceOption } from './instance-choice.ts';

const policy = fleetPolicySchema.parse({ version: 1 });
const pools = fleetPoolsFromCatalog(loadCatalog());
const pool = (tier: string) => pools.find((p) => p.tier === tier)!;

describe('chooseInstanceOption', () => {
  it('carries a load one instance holds on the cheapest type by the hour', () => {
    expect(chooseInstanceOption(policy, pool('simple'), 1_000).instanceType).toBe('gpu_1x_a100');
    // 405B at 100 tok/s: one 8×A100 ($14.32/h) instead of one 8×H100 ($34.32/h).
    expect(chooseInstanceOption(policy, pool('complex'), 6_000).instanceType).toBe('gpu_8x_a100_80gb_sxm4');
    // Without load (a hold or a minimum): the cheapest single instance.
    expect(chooseInstanceOption(policy, pool('balanced'), 0).instanceType).toBe('gpu_1x_h100_pcie');
  });

  it('carries a load many instances hold on the type cheapest per token', () => {
    // 90,000 tok/min of 405B at 80 %: 2 × 8×H100 ($68.64/h) against 4 × 8×A100 ($57.28/h) — still the A100s.
    expect(chooseInstanceOption(policy, pool('complex'), 90_000).instanceType).toBe('gpu_8x_a100_80gb_sxm4');
    // 8B at 1,000,000 tok/min: 5 SXM5 ($21.45) against 6 PCIe ($19.74) and 11 A100 ($21.89).
    expect(chooseInstanceOption(policy, pool('simple'), 1_000_000).instanceType).toBe('gpu_1x_h100_pcie');
    // 3,000,000: 13 SXM5 ($55.77) against 18 PCIe ($59.22) and 32 A100 ($63.68).
    expect(chooseInstanceOption(policy, pool('simple'), 3_000_000).instanceType).toBe('gpu_1x_h100_sxm5');
  });

  it("compares only the options the fleet's caps still allow, else takes the one carrying most within them", () => {
    const complex = pool('complex');
    const roomy = { instances: 8, microUsdPerHour: 100_000_000 };
    expect(chooseInstanceOption(policy, complex, 90_000, roomy).instanceType).toBe('gpu_8x_a100_80gb_sxm4');
    // Two instance slots left: four 8×A100 do not fit, two 8×H100 do.
    expect(chooseInstanceOption(policy, complex, 90_000, { ...roomy, instances: 2 }).instanceType).toBe('gpu_8x_h100_sxm5');
    // One slot: neither fits; an 8×H100 carries 90,000 tok/min in it, an 8×A100 36,000.
    expect(chooseInstanceOption(policy, complex, 90_000, { ...roomy, instances: 1 }).instanceType).toBe('gpu_8x_h100_sxm5');
    // $20/h left: no 8×H100 ($34.32) fits at all, one 8×A100 ($14.32) does.
    expect(chooseInstanceOption(policy, complex, 90_000, { instances: 8, microUsdPerHour: 20_000_000 }).instanceType).toBe('gpu_8x_a100_80gb_sxm4');
  });

  it("keeps the catalog's first type under instance_choice: catalog_order", () => {
    const ordered = fleetPolicySchema.parse({ version: 1, instance_choice: 'catalog_order' });
    expect(chooseInstanceOption(ordered, pool('simple'), 1_000).instanceType).toBe('gpu_1x_h100_sxm5');
  });
});

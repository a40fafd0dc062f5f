import { Backend, Tier } from '@sophia/contracts/common';
import { CATALOG_BACKENDS, CATALOG_TIERS } from './price-catalog.ts';
import { backendFromProto, backendToProto, tierFromProto, tierToProto } from './proto-mapping.ts';

describe('proto mapping', () => {
  it('round-trips every tier and backend', () => {
    for (const t of CATALOG_TIERS) expect(tierFromProto(tierToProto(t))).toBe(t);
    for (const b of CATALOG_BACKENDS) expect(backendFromProto(backendToProto(b))).toBe(b);
    expect(tierToProto('complex')).toBe(Tier.COMPLEX);
    expect(backendToProto('gpu')).toBe(Backend.GPU);
  });

  it('maps UNSPECIFIED and unknown numbers to undefined', () => {
    expect(tierFromProto(Tier.UNSPECIFIED)).toBeUndefined();
    expect(tierFromProto(99 as Tier)).toBeUndefined();
    expect(backendFromProto(Backend.UNSPECIFIED)).toBeUndefined();
  });
});

import { TaskType as ProtoTaskType, Tier as ProtoTier } from '@sophia/contracts/common';
import { TASK_TYPES, TIERS } from './task-type.ts';

// The gRPC service maps ids to proto enums by position (TASK_TYPES[i] ↔ i + 1); this pins that contract.
describe('proto enum alignment', () => {
  it('TASK_TYPES[i] is proto TaskType i + 1', () => {
    TASK_TYPES.forEach((id, i) => {
      expect(ProtoTaskType[id.toUpperCase() as keyof typeof ProtoTaskType]).toBe(i + 1);
    });
  });

  it('TIERS[i] is proto Tier i + 1', () => {
    TIERS.forEach((id, i) => {
      expect(ProtoTier[id.toUpperCase() as keyof typeof ProtoTier]).toBe(i + 1);
    });
  });
});

import { create, type JsonObject } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { CommandSchema, PlanSchema, PlanStatus, type Command as CommandProto, type Plan } from '@sophia/contracts/ops';
import type { PlanRecord } from './plans/plan-store.ts';

/** A typed command on the wire: its intent and its args as a JSON object (the `ops parse` shape). */
export function commandToProto(intent: string, args: Readonly<Record<string, unknown>>): CommandProto {
  return create(CommandSchema, { intent, args: JSON.parse(JSON.stringify(args)) as JsonObject });
}

/** A stored plan as the API answers it; `nowMs` decides whether a pending plan has expired. */
export function planToProto(p: PlanRecord, nowMs: number): Plan {
  const status = p.status === 'applied' ? PlanStatus.APPLIED : p.expiresAtMs <= nowMs ? PlanStatus.EXPIRED : PlanStatus.PENDING;
  return create(PlanSchema, {
    id: p.id,
    command: commandToProto(p.intent, JSON.parse(p.argsJson) as Record<string, unknown>),
    summary: p.summary,
    costEffect: p.costEffect,
    ...(p.monthlyCostDeltaUsd !== undefined ? { monthlyCostDeltaUsd: p.monthlyCostDeltaUsd } : {}),
    createdAt: timestampFromMs(p.createdAtMs),
    expiresAt: timestampFromMs(p.expiresAtMs),
    createdBy: p.tenant,
    status,
    ...(p.appliedAtMs !== undefined ? { appliedAt: timestampFromMs(p.appliedAtMs) } : {}),
    appliedBy: p.appliedBy ?? '',
    auditId: p.auditId ?? '',
  });
}

import { Code, ConnectError } from '@connectrpc/connect';
import type { ClearOverrideRequest, Override, SetOverrideRequest } from '@sophia/contracts/router';
import type { Logger } from 'pino';
import type { OverrideStore } from './override-store.ts';
import { overrideFromProto, overrideToProto } from './override-proto.ts';
import { describeOverride } from './routing-override.ts';

/** The admin RPCs of RouterService over an override store. */
export interface OverrideAdmin {
  setOverride(req: SetOverrideRequest): Promise<{ override: Override }>;
  listOverrides(): Promise<{ overrides: Override[]; shared: boolean }>;
  clearOverride(req: ClearOverrideRequest): Promise<{ cleared: boolean }>;
}

/** An audit entry for a durable trail (the ledger's AppendAudit); the log line is always written too. */
export interface OverrideAuditEntry {
  readonly actor: string;
  readonly action: 'router.override.set' | 'router.override.clear';
  /** The override id. */
  readonly subject: string;
  /** JSON: the override (set) or the clear reason and result. */
  readonly details: string;
}

/** Where audit entries go besides the log; must not throw (failures are its own to report). */
export type OverrideAuditSink = (entry: OverrideAuditEntry) => void;

/** Store failures are the router's dependency being down, not the caller's fault. */
function unavailable(err: unknown, logger: Logger, what: string): ConnectError {
  logger.error({ err: (err as Error).message }, `override store failed during ${what}`);
  return new ConnectError(`override store unavailable during ${what}`, Code.Unavailable);
}

/**
 * SetOverride / ListOverrides / ClearOverride. Every change is written as an `audit` log line
 * (`audit: "router.override.set" | "router.override.clear"`) with who, why and the override,
 * until the ledger's audit trail exists.
 */
export function createOverrideAdmin(store: OverrideStore, logger: Logger, clock: () => number = Date.now, audit?: OverrideAuditSink): OverrideAdmin {
  return {
    async setOverride(req) {
      const now = clock();
      const override = overrideFromProto(req.override, `ovr_${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`, now);
      try {
        await store.add(override);
      } catch (err) {
        throw unavailable(err, logger, 'SetOverride');
      }
      logger.info({ audit: 'router.override.set', by: override.createdBy, reason: override.reason, override, shared: store.shared }, `override set: ${describeOverride(override)}`);
      audit?.({ actor: override.createdBy, action: 'router.override.set', subject: override.id, details: JSON.stringify(override) });
      return { override: overrideToProto(override) };
    },
    async listOverrides() {
      try {
        const overrides = await store.list(clock());
        return { overrides: overrides.sort((a, b) => a.createdAt - b.createdAt).map(overrideToProto), shared: store.shared };
      } catch (err) {
        throw unavailable(err, logger, 'ListOverrides');
      }
    },
    async clearOverride(req) {
      if (req.id.trim() === '') throw new ConnectError('id: required', Code.InvalidArgument);
      if (req.clearedBy.trim() === '') throw new ConnectError('cleared_by: required (who cleared it, for the audit log)', Code.InvalidArgument);
      let cleared: boolean;
      try {
        cleared = await store.remove(req.id.trim());
      } catch (err) {
        throw unavailable(err, logger, 'ClearOverride');
      }
      logger.info({ audit: 'router.override.clear', by: req.clearedBy.trim(), reason: req.reason, id: req.id.trim(), cleared }, `override ${cleared ? 'cleared' : 'clear requested (not found)'}: ${req.id.trim()}`);
      audit?.({ actor: req.clearedBy.trim(), action: 'router.override.clear', subject: req.id.trim(), details: JSON.stringify({ reason: req.reason, cleared }) });
      return { cleared };
    },
  };
}

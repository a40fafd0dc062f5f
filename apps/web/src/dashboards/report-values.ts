import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import type { Money } from '@sophia/contracts/common';
import type { Timestamp } from '@bufbuild/protobuf/wkt';
import type { Period } from './time-range.ts';

/** Micro-dollars of an optional Money (unset = 0, as the ledger means it). */
export function micro(m: Money | undefined): bigint {
  return m?.microUsd ?? 0n;
}

/** The period as the request's start/end timestamps. */
export function periodRequest(period: Period): { start: Timestamp; end: Timestamp } {
  return { start: timestampFromMs(period.startMs), end: timestampFromMs(period.endMs) };
}

/** A ledger day key ("2026-12-05") as seconds since the epoch (UTC midnight), for charts. */
export function daySeconds(key: string): number {
  return Date.parse(`${key}T00:00:00Z`) / 1000;
}

const DAY_S = 86_400;

/**
 * The x axis of a per-day chart for a period, in seconds: the UTC days the period touches, each day's
 * point (at its midnight, where the axis labels the date) centred in a day-wide slot.
 */
export function daySlots(period: Period): [number, number] {
  const first = Math.floor(period.startMs / 1000 / DAY_S) * DAY_S;
  const last = Math.floor((period.endMs - 1) / 1000 / DAY_S) * DAY_S;
  return [first - DAY_S / 2, last + DAY_S / 2];
}

// Validates a wire QueryUsageRequest into the store's UsageQuery: period defaults, dimension names,
// no duplicates, each error naming its field.
import { timestampMs } from '@bufbuild/protobuf/wkt';
import { Dimension, type QueryUsageRequest } from '@sophia/contracts/ledger';
import { fieldError } from './field-error.ts';
import type { UsageDimension, UsageQuery } from './usage-store.ts';

const DIMENSIONS = new Map<Dimension, UsageDimension>([
  [Dimension.TENANT, 'tenant'],
  [Dimension.MODEL, 'model'],
  [Dimension.BACKEND, 'backend'],
  [Dimension.TIER, 'tier'],
  [Dimension.DAY, 'day'],
  [Dimension.WORKLOAD_TAG, 'workload_tag'],
  [Dimension.PROVIDER, 'provider'],
]);

/**
 * The store query for a request: [start, end), start unset = the beginning of time, end unset = now
 * (inclusive of the current millisecond, so an event recorded a moment ago is counted).
 * @throws ConnectError INVALID_ARGUMENT naming `start`, `end` or `group_by[i]`
 */
export function usageQueryFromRequest(request: Pick<QueryUsageRequest, 'start' | 'end' | 'groupBy' | 'tenant'>, now: Date): UsageQuery {
  const startMs = request.start === undefined ? 0 : timestampMs(request.start);
  const endMs = request.end === undefined ? now.getTime() + 1 : timestampMs(request.end);
  if (startMs > endMs) {
    throw fieldError('start', `must not be after end (${new Date(startMs).toISOString()} > ${new Date(endMs).toISOString()})`);
  }
  const groupBy: UsageDimension[] = [];
  request.groupBy.forEach((value, i) => {
    const name = DIMENSIONS.get(value);
    if (name === undefined) throw fieldError(`group_by[${i}]`, `unknown or unspecified dimension ${value}`);
    if (groupBy.includes(name)) throw fieldError(`group_by[${i}]`, `dimension '${name}' is listed twice`);
    groupBy.push(name);
  });
  return { startMs, endMs, groupBy, ...(request.tenant === '' ? {} : { tenant: request.tenant }) };
}

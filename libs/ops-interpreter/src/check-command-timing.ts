import type { Command } from './command-schema.ts';
import { formatDate, parseDate, type CalendarDate } from './slots/calendar-date.ts';

/**
 * Clock checks no schema can make: a report period that starts after today, a period that ends
 * before it starts, a pin "until" a moment already past. Undefined when the command is fine.
 */
export function checkCommandTiming(command: Command, now: Date, today: CalendarDate): string | undefined {
  const args = command.args as { from?: string; to?: string; until?: string };
  const todayText = formatDate(today);
  if (args.from !== undefined) {
    if (!parseDate(args.from)) return `from: ${args.from} is not a calendar date`;
    if (args.from > todayText) return `from: the period starts in the future (${args.from}; today is ${todayText})`;
  }
  if (args.to !== undefined && !parseDate(args.to)) return `to: ${args.to} is not a calendar date`;
  if (args.from !== undefined && args.to !== undefined && args.to <= args.from) return `to: must be after from (${args.from} … ${args.to})`;
  if (args.until !== undefined) {
    const until = /^\d{4}-\d{2}-\d{2}$/.test(args.until) ? args.until : undefined;
    if (until !== undefined && until <= todayText) return `until: ${until} is not in the future (today is ${todayText})`;
    if (until === undefined && Date.parse(args.until) <= now.getTime()) return `until: ${args.until} is not in the future`;
  }
  return undefined;
}

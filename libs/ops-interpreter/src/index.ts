export { COMMAND_ARGS, COMMAND_INTENTS, WRITE_INTENTS, BASELINES, GROUP_BY, RATE_LIMIT_SCOPES, isCommandIntent, validateCommand, type Command, type CommandArgs, type CommandIntent } from './command-schema.ts';
export { interpretCommand, interpretationLine, MAX_COMMAND_CHARS, type CommandCandidate, type Interpretation, type InterpretOptions } from './interpret-command.ts';
export { checkCommandTiming } from './check-command-timing.ts';
export { dateInZone, formatDate, addDays, parseDate, zonedDayStartMs, isKnownTimeZone, type CalendarDate } from './slots/calendar-date.ts';
export { heldOutSet, type HeldOutSet } from './eval/frozen-set.ts';

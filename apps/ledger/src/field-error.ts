// Every bad-input error names the field it is about, in one format: "<field>: <problem>".
import { Code, ConnectError } from '@connectrpc/connect';

/** A ConnectError whose message starts with the offending field's path. */
export function fieldError(field: string, problem: string, code: Code = Code.InvalidArgument): ConnectError {
  return new ConnectError(`${field}: ${problem}`, code);
}

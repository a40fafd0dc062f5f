import { EXIT_ENVIRONMENT, EXIT_FAILED_TO_START, startupFailure } from './startup-failure.ts';

describe('startupFailure', () => {
  it('prints an operator-facing error as one line (no stack), exit 3', () => {
    const err = Object.assign(new Error('data directory /d: the filesystem is full (database or disk is full);\n free space there, then start again'), { operatorFacing: true });
    expect(startupFailure('ledger', err)).toEqual({ text: 'ledger: cannot start: data directory /d: the filesystem is full (database or disk is full); free space there, then start again\n', exitCode: EXIT_ENVIRONMENT });
    expect(EXIT_ENVIRONMENT).toBe(3);
  });
  it('keeps the stack of anything else (a bug), exit 1', () => {
    const err = new TypeError('undefined is not a function');
    const failure = startupFailure('router', err);
    expect(failure.exitCode).toBe(EXIT_FAILED_TO_START);
    expect(failure.text).toContain('router: failed to start: TypeError: undefined is not a function\n    at ');
  });
});

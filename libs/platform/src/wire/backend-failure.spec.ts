import { Code, ConnectError } from '@connectrpc/connect';
import { FAILURE_KIND_HEADER, isBackendFailure, parseRetryAfterMs, RETRY_AFTER_HEADER, retryAfterMs, UpstreamFailureKind } from './backend-failure.ts';

const withKind = (code: Code, kind: string): ConnectError => new ConnectError('x', code, { [FAILURE_KIND_HEADER]: kind });

describe('the wire rules of a failed call', () => {
  it.each([
    ['1500', 1500],
    [' 0 ', 0],
    ['9999999999', 9_999_999_999],
    ['', undefined],
    ['-5', undefined],
    ['1.5', undefined],
    ['12345678901', undefined],
    ['soon', undefined],
    [null, undefined],
  ])('parses retry-after-ms %p as %p', (raw, expected) => {
    expect(parseRetryAfterMs(raw)).toBe(expected);
  });

  it('reads retry-after-ms from an error, and nothing from other errors', () => {
    expect(retryAfterMs(new ConnectError('busy', Code.ResourceExhausted, { [RETRY_AFTER_HEADER]: '250' }))).toBe(250);
    expect(retryAfterMs(new ConnectError('busy', Code.ResourceExhausted))).toBeUndefined();
    expect(retryAfterMs(new Error('plain'))).toBeUndefined();
  });

  it('classifies by failure kind first: an upstream auth failure moves traffic, a caller deadline or an upstream 4xx does not', () => {
    expect(isBackendFailure(withKind(Code.PermissionDenied, UpstreamFailureKind.HttpAuth))).toBe(true);
    expect(isBackendFailure(withKind(Code.ResourceExhausted, UpstreamFailureKind.Http429))).toBe(true);
    expect(isBackendFailure(withKind(Code.DeadlineExceeded, UpstreamFailureKind.CallerDeadline))).toBe(false);
    expect(isBackendFailure(withKind(Code.InvalidArgument, UpstreamFailureKind.Http4xx))).toBe(false);
  });

  it('classifies errors without a kind by code; cancellation and AbortErrors never count', () => {
    for (const code of [Code.Unavailable, Code.DeadlineExceeded, Code.Internal, Code.ResourceExhausted, Code.Unknown, Code.DataLoss, Code.Aborted]) {
      expect(isBackendFailure(new ConnectError('x', code))).toBe(true);
    }
    for (const code of [Code.InvalidArgument, Code.NotFound, Code.Canceled, Code.PermissionDenied, Code.Unauthenticated]) {
      expect(isBackendFailure(new ConnectError('x', code))).toBe(false);
    }
    expect(isBackendFailure(Object.assign(new Error('aborted'), { name: 'AbortError' }))).toBe(false);
    expect(isBackendFailure(new Error('socket hang up'))).toBe(true);
  });
});

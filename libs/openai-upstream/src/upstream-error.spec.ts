import { Code, ConnectError } from '@connectrpc/connect';
import { mapCallerAbort, mapHttpStatus, mapTransportError, parseRetryAfter } from './map-upstream-error.ts';
import { isBackendFailure, retryAfterMs, upstreamFailureKind } from './upstream-error.ts';

const EP = 'http://up.example/v1/chat/completions';

describe('upstream error mapping', () => {
  it.each([
    ['ECONNREFUSED', 'connect', Code.Unavailable, 'connect-refused'],
    ['ENOTFOUND', 'connect', Code.Unavailable, 'connect-refused'],
    ['UND_ERR_CONNECT_TIMEOUT', 'connect', Code.Unavailable, 'connect-timeout'],
    ['ECONNRESET', 'connect', Code.Unavailable, 'reset'],
    ['UND_ERR_SOCKET', 'stream', Code.Unavailable, 'reset'],
  ] as const)('maps socket error %s (%s) to code %i (%s)', (code, phase, expected, kind) => {
    const cause = Object.assign(new Error('boom'), { code });
    const err = mapTransportError(new TypeError('fetch failed', { cause }), EP, phase);
    expect({ code: err.code, kind: upstreamFailureKind(err) }).toEqual({ code: expected, kind });
    expect(err.message).toContain(EP);
    expect(err.cause).toBeInstanceOf(TypeError);
    expect(isBackendFailure(err)).toBe(true);
  });

  it('maps caller aborts by reason: deadline vs cancel', () => {
    const deadline = mapCallerAbort(new ConnectError('the operation timed out', Code.DeadlineExceeded), EP);
    expect([deadline.code, upstreamFailureKind(deadline), isBackendFailure(deadline)]).toEqual([Code.DeadlineExceeded, 'caller-deadline', false]);
    const cancel = mapCallerAbort(new Error('client went away'), EP);
    expect([cancel.code, upstreamFailureKind(cancel), isBackendFailure(cancel)]).toEqual([Code.Canceled, 'caller-cancelled', false]);
  });

  it('parses Retry-After as seconds, HTTP date or retry-after-ms', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter({ 'retry-after': '2' }, now)).toBe(2000);
    expect(parseRetryAfter({ 'retry-after': '0.5' }, now)).toBe(500);
    expect(parseRetryAfter({ 'retry-after': 'Thu, 01 Jan 2026 00:00:07 GMT' }, now)).toBe(7000);
    expect(parseRetryAfter({ 'retry-after-ms': '250', 'retry-after': '9' }, now)).toBe(250);
    expect(parseRetryAfter({ 'retry-after': 'soon' }, now)).toBeUndefined();
    expect(parseRetryAfter({}, now)).toBeUndefined();
  });

  it('leaves Retry-After out of a 429 without one', () => {
    const err = mapHttpStatus(429, {}, '', EP);
    expect(err.code).toBe(Code.ResourceExhausted);
    expect(retryAfterMs(err)).toBeUndefined();
  });

  it('redacts an echoed API key and bounds the upstream text it passes on', () => {
    const err = mapHttpStatus(400, {}, JSON.stringify({ error: { message: `bad key sk-XYZ ${'x'.repeat(500)}` } }), EP, { apiKey: 'sk-XYZ' });
    expect(err.rawMessage).not.toContain('sk-XYZ');
    expect(err.rawMessage).toContain('[redacted]');
    expect(err.rawMessage.length).toBeLessThan(320);
  });

  it('classifies errors without a kind by code', () => {
    expect(isBackendFailure(new ConnectError('x', Code.Unavailable))).toBe(true);
    expect(isBackendFailure(new ConnectError('x', Code.DeadlineExceeded))).toBe(true);
    expect(isBackendFailure(new ConnectError('x', Code.InvalidArgument))).toBe(false);
    expect(isBackendFailure(new ConnectError('x', Code.Canceled))).toBe(false);
    expect(isBackendFailure(new Error('plain'))).toBe(true); // Unknown
  });

  it('maps unexpected 4xx to Internal that does not trip breakers', () => {
    const err = mapHttpStatus(405, {}, 'nope', EP);
    expect([err.code, isBackendFailure(err)]).toEqual([Code.Internal, false]);
  });
});

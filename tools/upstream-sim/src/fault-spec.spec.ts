import { FaultSpecError, faultSpecFromJson, formatFaultSpec, parseFaultSpec } from './fault-spec.ts';

describe('parseFaultSpec', () => {
  it('reads a bare name and both parameter separators', () => {
    expect(parseFaultSpec('silent')).toEqual({ kind: 'silent' });
    expect(parseFaultSpec('status:code=503')).toEqual({ kind: 'status', code: 503 });
    expect(parseFaultSpec('status;code=502;count=2')).toEqual({ kind: 'status', code: 502, count: 2 });
    expect(parseFaultSpec('stall-mid-stream:after=3,ms=500')).toEqual({ kind: 'stall-mid-stream', afterTokens: 3, ms: 500 });
    expect(parseFaultSpec('rate-limit:retry-after=7')).toEqual({ kind: 'rate-limit', retryAfterSeconds: 7 });
  });

  it('accepts short aliases used in markers', () => {
    expect(parseFaultSpec('cut-mid')).toEqual({ kind: 'cut-mid-stream' });
    expect(parseFaultSpec('reset')).toEqual({ kind: 'reset-before-first-byte' });
    expect(parseFaultSpec('stall-first;ms=10')).toEqual({ kind: 'stall-before-first-token', ms: 10 });
    expect(parseFaultSpec('off')).toEqual({ kind: 'none' });
  });

  it('builds fail-rate with its inner fault from the remaining parameters', () => {
    expect(parseFaultSpec('fail-rate:p=0.25,fault=status,code=502,seed=9,count=4')).toEqual({
      kind: 'fail-rate',
      p: 0.25,
      seed: 9,
      count: 4,
      inner: { kind: 'status', code: 502 },
    });
  });

  it.each([
    ['explode', 'unknown fault "explode"'],
    ['status:colour=red', 'unknown fault parameter "colour"'],
    ['status:code=abc', 'must be a number'],
    ['status:code', 'must be key=value'],
    ['status:code=700', 'code'],
    ['fail-rate:p=2,fault=silent', 'p'],
    ['fail-rate:p=0.5', 'fail-rate needs fault='],
    ['fail-rate:p=0.5,fault=fail-rate', 'inner'],
    ['silent:ms=5', 'ms'],
    ['', 'empty'],
  ])('rejects %j naming the problem', (text, fragment) => {
    expect(() => parseFaultSpec(text)).toThrow(FaultSpecError);
    expect(() => parseFaultSpec(text)).toThrow(fragment);
  });

  it('round-trips through formatFaultSpec', () => {
    for (const text of ['status:code=503,count=2', 'stall-mid-stream:ms=40,after=2', 'fail-rate:p=0.5,seed=3,fault=rate-limit,retry-after=2', 'health-fail']) {
      const spec = parseFaultSpec(text);
      expect(parseFaultSpec(formatFaultSpec(spec))).toEqual(spec);
    }
  });
});

describe('faultSpecFromJson', () => {
  it('validates objects and names the bad field', () => {
    expect(faultSpecFromJson({ kind: 'slow-drip', ms: 5 })).toEqual({ kind: 'slow-drip', ms: 5 });
    expect(() => faultSpecFromJson({ kind: 'slow-drip', ms: -1 })).toThrow('ms');
    expect(() => faultSpecFromJson({ kind: 'teleport' })).toThrow('unknown fault "teleport"');
    expect(() => faultSpecFromJson({ kind: 'status', extra: 1 })).toThrow(FaultSpecError);
  });
});

import { childTraceContext, formatTraceparent, newTraceContext, parseTraceparent } from './trace-context.ts';

describe('trace context', () => {
  it('parses valid traceparent headers and rejects malformed or all-zero ones', () => {
    expect(parseTraceparent('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')).toEqual({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      flags: '01',
    });
    expect(parseTraceparent('00-00000000000000000000000000000000-b7ad6b7169203331-01')).toBeUndefined();
    expect(parseTraceparent('garbage')).toBeUndefined();
    expect(parseTraceparent(undefined)).toBeUndefined();
  });
  it('keeps the trace id and changes the span id for a child', () => {
    const root = newTraceContext();
    const child = childTraceContext(root);
    expect(child.traceId).toBe(root.traceId);
    expect(child.spanId).not.toBe(root.spanId);
    expect(parseTraceparent(formatTraceparent(child))).toEqual(child);
  });
});

describe('span ids', () => {
  it('are unique across many draws, including pool refills', () => {
    const root = newTraceContext();
    const ids = new Set(Array.from({ length: 2000 }, () => childTraceContext(root).spanId));
    expect(ids.size).toBe(2000);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{16}$/);
  });
});

import { tracingLines } from './tracing-lines.ts';

describe('what npm start prints about traces', () => {
  it('says where spans go when an endpoint is set, and how to see them when none is', () => {
    expect(tracingLines({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }).join('\n')).toContain('OTLP to http://127.0.0.1:4318');
    const off = tracingLines({}).join('\n');
    expect(off).toContain('off (no OTEL_EXPORTER_OTLP_ENDPOINT)');
    expect(off).toContain('tools/jaeger/ensure-jaeger.sh');
    expect(off).toContain('OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 npm start');
    expect(tracingLines({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:4318', OTEL_SDK_DISABLED: 'true' }).join('\n')).toContain('off');
  });
});

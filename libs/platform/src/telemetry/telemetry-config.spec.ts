import { ConfigError, loadConfig } from '../config-loader.ts';
import { telemetryConfigSchema, tracesExportUrl, tracingEnabled } from './telemetry-config.ts';

const parse = (env: Record<string, string>) => loadConfig(telemetryConfigSchema, { env });

describe('OTEL_* configuration', () => {
  it('exports nothing by default: no endpoint, spec default sampler and propagators', () => {
    const config = parse({});
    expect(tracesExportUrl(config)).toBeUndefined();
    expect(tracingEnabled(config)).toBe(false);
    expect(config.OTEL_TRACES_SAMPLER).toBe('parentbased_always_on');
    expect(config.OTEL_PROPAGATORS).toEqual(['tracecontext', 'baggage']);
    expect(config.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT).toBe(false);
  });

  it('derives the traces URL from the base endpoint, lets the traces endpoint win, and honours OTEL_SDK_DISABLED', () => {
    expect(tracesExportUrl(parse({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }))).toBe('http://collector:4318/v1/traces');
    expect(tracesExportUrl(parse({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:9999/custom' }))).toBe('http://b:9999/custom');
    const disabled = parse({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_SDK_DISABLED: 'true' });
    expect(tracesExportUrl(disabled)).toBeUndefined();
    expect(tracingEnabled(disabled)).toBe(false);
    expect(tracingEnabled(parse({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_TRACES_EXPORTER: 'none' }))).toBe(false);
    expect(tracingEnabled(parse({ OTEL_TRACES_EXPORTER: 'console' }))).toBe(true);
  });

  it('parses headers and resource attributes as percent-encoded key=value lists', () => {
    const config = parse({ OTEL_EXPORTER_OTLP_HEADERS: 'x-token=a%3Db, other = c ', OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=prod' });
    expect(config.OTEL_EXPORTER_OTLP_HEADERS).toEqual({ 'x-token': 'a=b', other: 'c' });
    expect(config.OTEL_RESOURCE_ATTRIBUTES).toEqual({ 'deployment.environment.name': 'prod' });
  });

  it('fails fast naming every bad key', () => {
    let caught: unknown;
    try {
      parse({
        OTEL_TRACES_SAMPLER: 'jaeger_remote',
        OTEL_TRACES_SAMPLER_ARG: '1.5',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
        OTEL_EXPORTER_OTLP_HEADERS: 'novalue',
        OTEL_PROPAGATORS: 'tracecontext,b3',
      });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const keys = (caught as ConfigError).problems.map((p) => p.split(':')[0]);
    expect(new Set(keys)).toEqual(
      new Set(['OTEL_TRACES_SAMPLER', 'OTEL_TRACES_SAMPLER_ARG', 'OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_PROPAGATORS.1']),
    );
    expect((caught as ConfigError).message).toContain('only http/protobuf');
  });
});

/**
 * What `npm start` prints about traces: where they go when an OTLP endpoint is set, or the two
 * commands that show one trace per request in Jaeger when none is (nothing is exported then).
 */
export function tracingLines(env: Readonly<Record<string, string | undefined>>): string[] {
  const endpoint = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] || env['OTEL_EXPORTER_OTLP_ENDPOINT'];
  const disabled = env['OTEL_SDK_DISABLED'] === 'true' || env['OTEL_TRACES_EXPORTER'] === 'none';
  if (endpoint && !disabled) {
    return [
      `  traces:              OTLP to ${endpoint} (services sophia-gateway, sophia-router, …; sampler ${env['OTEL_TRACES_SAMPLER'] || 'parentbased_always_on'})`,
      '                       with Jaeger started as below, open http://127.0.0.1:16686 and search service sophia-gateway',
    ];
  }
  return [
    '  traces:              off (no OTEL_EXPORTER_OTLP_ENDPOINT). To see one trace per request in Jaeger:',
    '                       "$(sh tools/jaeger/ensure-jaeger.sh)"   # Jaeger all-in-one: OTLP on :4318, UI on http://127.0.0.1:16686',
    '                       OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 npm start',
  ];
}

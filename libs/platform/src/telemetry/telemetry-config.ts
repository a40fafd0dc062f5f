import { z } from 'zod';
import { configValues } from '../config-loader.ts';

const SAMPLERS = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'] as const;
/** A sampler name the OTel spec defines (OTEL_TRACES_SAMPLER). */
export type SamplerName = (typeof SAMPLERS)[number];

/** `k=v,k2=v2` with percent-encoded values, as OTEL_EXPORTER_OTLP_HEADERS and OTEL_RESOURCE_ATTRIBUTES are written. */
const keyValueList = (what: string) =>
  z.string().transform((s, ctx) => {
    const out: Record<string, string> = {};
    for (const part of s.split(',')) {
      if (part.trim() === '') continue;
      const eq = part.indexOf('=');
      const key = eq > 0 ? part.slice(0, eq).trim() : '';
      if (key === '') {
        ctx.addIssue({ code: 'custom', message: `expected comma-separated ${what} as key=value, got "${part.trim()}"` });
        return z.NEVER;
      }
      try {
        out[key] = decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        ctx.addIssue({ code: 'custom', message: `value of "${key}" is not valid percent-encoding` });
        return z.NEVER;
      }
    }
    return out;
  });

const protocol = z.string().refine((p) => p === 'http/protobuf', {
  message: 'only http/protobuf (the spec default, OTLP over HTTP on port 4318) is supported by this build',
});

const endpointUrl = z.url({ protocol: /^https?$/ });

/**
 * The standard OpenTelemetry SDK variables (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/)
 * this mesh honours, parsed with every other key at start so a typo fails fast. One deliberate
 * difference from the spec: with no OTLP endpoint set nothing is exported (the spec would default to
 * localhost:4318), so a developer's `npm start` never sends spans nowhere or pays for them.
 */
export const telemetryConfigSchema = z.object({
  /** Disables span recording and export for every service (ids are still propagated for logs). @default false */
  OTEL_SDK_DISABLED: configValues.flag(false),
  /** `service.name`; unset: `sophia-<service>` per hosted service. */
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  /** Extra resource attributes, `k=v,…` (e.g. `deployment.environment.name=prod`). */
  OTEL_RESOURCE_ATTRIBUTES: keyValueList('resource attributes').optional(),
  /** OTLP base URL; traces go to `<endpoint>/v1/traces`. Unset (and no traces endpoint): nothing is exported. */
  OTEL_EXPORTER_OTLP_ENDPOINT: endpointUrl.optional(),
  /** Full OTLP traces URL, used as is; wins over OTEL_EXPORTER_OTLP_ENDPOINT. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: endpointUrl.optional(),
  /** @default http/protobuf */
  OTEL_EXPORTER_OTLP_PROTOCOL: protocol.optional(),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: protocol.optional(),
  /** Headers on every export, `k=v,…` (e.g. an ingest token). */
  OTEL_EXPORTER_OTLP_HEADERS: keyValueList('headers').optional(),
  OTEL_EXPORTER_OTLP_TRACES_HEADERS: keyValueList('headers').optional(),
  /** Export timeout in ms. @default 10000 */
  OTEL_EXPORTER_OTLP_TIMEOUT: configValues.durationMs(10_000),
  OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: z.coerce.number().int().positive().optional(),
  /** `otlp` (default; needs an endpoint), `console` (one JSON span per line on stderr) or `none`. */
  OTEL_TRACES_EXPORTER: z.enum(['otlp', 'console', 'none']).default('otlp'),
  /** @default parentbased_always_on */
  OTEL_TRACES_SAMPLER: z.enum(SAMPLERS).default('parentbased_always_on'),
  /** The ratio for the *traceidratio samplers, in [0, 1]. @default 1 */
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).default(1),
  /** Propagators, comma-separated: tracecontext, baggage, none. @default tracecontext,baggage */
  OTEL_PROPAGATORS: configValues
    .list()
    .pipe(z.array(z.enum(['tracecontext', 'baggage', 'none'], { message: 'supported propagators: tracecontext, baggage, none' })))
    .default(['tracecontext', 'baggage']),
  /** Batch span processor: delay between exports (ms). @default 5000 */
  OTEL_BSP_SCHEDULE_DELAY: configValues.durationMs(5000),
  /** @default 30000 */
  OTEL_BSP_EXPORT_TIMEOUT: configValues.durationMs(30_000),
  /** Spans queued beyond this are dropped (counted by the SDK), never blocking a request. @default 2048 */
  OTEL_BSP_MAX_QUEUE_SIZE: z.coerce.number().int().positive().default(2048),
  /** @default 512 */
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: z.coerce.number().int().positive().default(512),
  /**
   * Records prompt and completion text on model-call spans (`gen_ai.input.messages`,
   * `gen_ai.output.messages`), the switch the OTel GenAI instrumentations use. Off: no span
   * ever holds request or answer text. @default false
   */
  OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: configValues.flag(false),
});

/** The parsed OTEL_* settings. */
export type TelemetryConfig = z.infer<typeof telemetryConfigSchema>;

/** Where spans go, resolved once from the endpoint keys; undefined when nothing is exported. */
export function tracesExportUrl(config: TelemetryConfig): string | undefined {
  if (config.OTEL_SDK_DISABLED || config.OTEL_TRACES_EXPORTER !== 'otlp') return undefined;
  if (config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (!config.OTEL_EXPORTER_OTLP_ENDPOINT) return undefined;
  return `${config.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`;
}

/** Whether spans are recorded at all (an exporter is configured and the SDK is not disabled). */
export function tracingEnabled(config: TelemetryConfig): boolean {
  if (config.OTEL_SDK_DISABLED) return false;
  return config.OTEL_TRACES_EXPORTER === 'console' || tracesExportUrl(config) !== undefined;
}

/**
 * True when tracing is configured for this process: OTEL_EXPORTER_OTLP_ENDPOINT (or the
 * traces-only OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set and OTEL_SDK_DISABLED is not "true".
 * A module of its own, importing nothing: the serve executor asks it once per app start, and the
 * package's index would load @opentelemetry/api, @opentelemetry/core and the event contracts
 * (~0.5 CPU-s in Nx's executor process, measured from a CPU profile of `nx run api:serve`).
 */
export function tracingEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) && env.OTEL_SDK_DISABLED !== 'true';
}

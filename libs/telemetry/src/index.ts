// The light entry: trace-context helpers over @opentelemetry/api (and @opentelemetry/core's
// suppressTracing; safe to import anywhere: no SDK is loaded). The SDK is in ./sdk (loaded by ./preload and runService only when tracing
// is on); the OTLP receiver is in ./receiver.
export * from './context.js';

/**
 * Preload for `node --import tsx --import @hypernode/telemetry/preload <entry>` (the serve
 * executor adds it when OTEL_EXPORTER_OTLP_ENDPOINT is set). ESM modules can be patched only
 * by a loader hook registered BEFORE they load: this registers import-in-the-middle's hook
 * (limited to the modules the instrumentations ask for, via its message channel), then starts
 * the SDK, whose instrumentations patch pg, ioredis, pino, fastify, http as the app imports them.
 * With tracing off it does nothing at all.
 */
import { register } from 'node:module';
import { basename } from 'node:path';
import { tracingEnabled } from './enabled.js';

if (tracingEnabled()) {
  const { createAddHookMessageChannel } = await import('import-in-the-middle');
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);
  const { startTracing } = await import('./sdk.js');
  // The serve executor runs each app from its folder (apps/<name>), the registry name of the service.
  await startTracing({ serviceName: process.env.HYPERNODE_SERVICE || basename(process.cwd()) });
  await waitForAllMessagesAcknowledged();
}

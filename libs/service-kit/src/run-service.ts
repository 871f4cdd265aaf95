import { bindHostFor, portFor, type ServiceName } from '@hypernode/ports';
import { startTracingIfEnabled } from '@hypernode/telemetry';
import { assertPortFree, isAddressInUse, isNoIpv6 } from './bind.js';
import { PortInUseError } from './errors.js';

/** Where a service is to listen. */
export interface ListenTarget {
  service: ServiceName;
  port: number;
  host: string;
}

/** What a started service hands back: a way to stop it. */
export interface Closable {
  /** Stops accepting work, finishes in-flight work and releases the port. Must be idempotent. */
  close(): Promise<void>;
}

/** How runService behaves; every field has a default. */
export interface RunServiceOptions {
  /** Environment to read; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Longest a graceful close may take before the process exits anyway; default 10 s. */
  shutdownTimeoutMs?: number;
  /** Install SIGINT/SIGTERM handlers; default true (tests turn it off). */
  handleSignals?: boolean;
}

/** A running service, as runService returns it. */
export interface RunningService extends ListenTarget {
  /** Stops the service once; later calls return the same promise. */
  close(): Promise<void>;
}

/**
 * Resolves the service's port from the registry (env override > profile > registry; a bare
 * PORT counts only outside `npm start`), refuses at once with one line naming the holder
 * when the port is taken, starts the service, and stops it cleanly on SIGINT/SIGTERM.
 */
export async function runService(
  service: ServiceName,
  start: (target: ListenTarget) => Promise<Closable>,
  options: RunServiceOptions = {},
): Promise<RunningService> {
  const env = options.env ?? process.env;
  // Tracing is on only with OTEL_EXPORTER_OTLP_ENDPOINT; then the SDK is loaded here (a no-op when
  // the serve executor's preload started it already) and flushed when the service stops. Off, the
  // SDK is never imported.
  const tracing = await startTracingIfEnabled({ serviceName: service, env });
  const port = portFor(service, { env, alone: !env.HYPERNODE_STACK });
  let host = bindHostFor({ env });
  assertPortFree(service, port);
  let closable: Closable;
  try {
    closable = await start({ service, port, host });
  } catch (error) {
    if (isNoIpv6(error) && host === '::') {
      // HYPERNODE_HOST=:: asks for every interface; on a machine without IPv6 that is 0.0.0.0.
      host = '0.0.0.0';
      closable = await start({ service, port, host });
    } else if (isAddressInUse(error)) {
      // Lost a race with another process between the check and the bind.
      assertPortFree(service, port);
      throw new PortInUseError(service, port, []);
    } else {
      throw error;
    }
  }
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= closable.close().finally(() => tracing?.shutdown()));
  if (options.handleSignals ?? true) installSignalHandlers(service, close, options.shutdownTimeoutMs ?? 10_000);
  return { service, port, host, close };
}

function installSignalHandlers(service: string, close: () => Promise<void>, timeoutMs: number): void {
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      console.error(`${service}: second ${signal}, exiting now`);
      process.exit(1);
    }
    signalled = true;
    const timer = setTimeout(() => {
      console.error(`${service}: shutdown took longer than ${timeoutMs} ms, exiting`);
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`${service}: error while shutting down: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

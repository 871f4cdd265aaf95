import { bindHostFor, portFor, type ServiceName } from '@hypernode/ports';
import { startTracingIfEnabled } from '@hypernode/telemetry';
import { assertPortFree, isAddressInUse, isNoIpv6 } from './bind.js';
import { PortInUseError } from './errors.js';
import { startShutdownWatchdog } from './shutdown-watchdog.js';

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
  // The stop signals are handled from the very start, not once `start` resolved: a service may
  // answer /health before its start finishes (realtime listens, then gives Redis a moment), and a
  // SIGTERM in that window (a supervisor, a test, Kubernetes stopping a pod that just went live)
  // would otherwise kill it with the default action, mid-start, without closing anything.
  let settle!: (closable: Closable | undefined) => void;
  const started = new Promise<Closable | undefined>((resolve) => (settle = resolve));
  let tracing: Awaited<ReturnType<typeof startTracingIfEnabled>>;
  let closing: Promise<void> | undefined;
  // A stop that comes during the start waits for it, then closes what it started.
  const close = () => (closing ??= started.then((closable) => closable?.close()).finally(() => tracing?.shutdown()));
  if (options.handleSignals ?? true) installSignalHandlers(service, close, options.shutdownTimeoutMs ?? 10_000);
  try {
    // Tracing is on only with OTEL_EXPORTER_OTLP_ENDPOINT; then the SDK is loaded here (a no-op when
    // the serve executor's preload started it already) and flushed when the service stops. Off, the
    // SDK is never imported.
    tracing = await startTracingIfEnabled({ serviceName: service, env });
    const target = await startListening(service, env, start);
    settle(target.closable);
    return { service, port: target.port, host: target.host, close };
  } catch (error) {
    settle(undefined);
    throw error;
  }
}

/** Resolves the port, refuses a taken one, and starts the service (falling back to IPv4 where `::` is not available). */
async function startListening(service: ServiceName, env: NodeJS.ProcessEnv, start: (target: ListenTarget) => Promise<Closable>): Promise<{ port: number; host: string; closable: Closable }> {
  const port = portFor(service, { env, alone: !env.HYPERNODE_STACK });
  let host = bindHostFor({ env });
  assertPortFree(service, port);
  try {
    return { port, host, closable: await start({ service, port, host }) };
  } catch (error) {
    if (isNoIpv6(error) && host === '::') {
      // HYPERNODE_HOST=:: asks for every interface; on a machine without IPv6 that is 0.0.0.0.
      host = '0.0.0.0';
      return { port, host, closable: await start({ service, port, host }) };
    }
    if (isAddressInUse(error)) {
      // Lost a race with another process between the check and the bind.
      assertPortFree(service, port);
      throw new PortInUseError(service, port, []);
    }
    throw error;
  }
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
    // The timer above needs the event loop; the watchdog's thread does not (1 s later, with a stack).
    startShutdownWatchdog(service, timeoutMs, timeoutMs + 1000);
    const signalledAt = Date.now();
    close().then(
      () => {
        // Says the close finished: a process still running after this line is stuck in its exit.
        console.log(`${service}: stopped ${Date.now() - signalledAt} ms after ${signal}`);
        process.exit(0);
      },
      (error: unknown) => {
        console.error(`${service}: error while shutting down: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

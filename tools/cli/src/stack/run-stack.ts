import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import { waitHealthy } from '@hypernode/health';
import { belongsToWorkspace, describeHolders, findListeners, pidsWithEnv, stopProcess, WORKSPACE_MARKER } from '@hypernode/port-inspect';
import { bindHostFor, browserOrigins, isAppKind, portEnvVar, type ResolvedService } from '@hypernode/ports';
import { CliError } from '../common.js';
import { terminalEcho } from './echo.js';
import { serveExitOf } from './serve-exit.js';
import { loadSupervisorLib } from './supervisor-lib.js';

/** The signals that stop a stack run. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** How long apps get to exit after SIGTERM before they are killed: past runService's 10-s bound and its shutdown watchdog (11 s, then up to 4 s for a stack), so either one shows. */
export const STOP_GRACE_MS = 15_000;

/** Refuses to start when any app port (or the supervisor's) is taken, naming every holder at once. */
export function assertAppPortsFree(apps: readonly ResolvedService[]): void {
  const listeners = findListeners(apps.map((a) => a.port));
  const taken = apps.filter((a) => listeners.has(a.port));
  if (taken.length === 0) return;
  throw new CliError(
    taken
      .map((a) => `${a.name} cannot start: port ${a.port} is already in use by ${describeHolders(listeners.get(a.port)!)}. Fix: \`npx hypernode ports free ${a.port}\`, or ${portEnvVar(a.name)}=<free port> npm start`)
      .join('\n'),
  );
}

/** Longest the infra task (PostgreSQL, Redis, migrations, credentials) may take before `up` gives up. */
export const INFRA_TIMEOUT_MS = 300_000;

/** Everything a stack run needs. */
export interface StackOptions {
  root: string;
  services: readonly ResolvedService[];
  /** The apps to start (default every app); the others are supervised as stopped, startable on request. */
  only?: readonly string[];
  /** Extra environment for the apps (profile, instance). */
  env: NodeJS.ProcessEnv;
  /** HYPERNODE_STACK: marks every process of this run (and the infra its infra task starts). */
  stackId: string;
  log: (line: string) => void;
  /** Aborted (with the signal's name) by a stop signal the caller caught before this run installed its own handlers. */
  stopRequested?: AbortSignal;
  /** The parent to watch (default: ours now); the caller passes the one it started with. */
  parentPid?: number;
  /** Lines (the sign-in URLs) printed once every app is up; undefined prints nothing. */
  banner?: () => string[] | undefined;
  /** Runs once everything is stopped (stops the infra this run started). */
  afterStop?: () => Promise<void>;
  /** Extra routes on the supervisor's server (e.g. the OTLP receiver, POST /v1/traces). */
  plugins?: FastifyPluginAsync[];
}

/** The environment every process of the stack starts with (as `nx run-many -t serve` under `npm start` had it). */
export function stackEnv(options: Pick<StackOptions, 'root' | 'env' | 'stackId' | 'log'>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, HYPERNODE_STACK: options.stackId, [WORKSPACE_MARKER]: options.root, NX_TUI: 'false', NX_DAEMON: 'false', FORCE_COLOR: process.stdout.isTTY ? '1' : '0' };
  // Workers register with the join token (bootstrapAuth); a stale shared secret must not leak in.
  delete env.HYPERNODE_WORKER_TOKEN;
  // This is a new Nx run, not a task of an Nx run that started us (`npm start` inside a CI task, the
  // tests): Nx would key its loop detection to that outer run, and a stack of this checkout that
  // was SIGKILLed leaves its task registrations there, so the next start would be refused as
  // "recursive task invocation".
  delete env.NX_INVOCATION_ROOT_PID;
  if (env.PORT) {
    options.log(`ignoring PORT=${env.PORT}: it applies to one service run alone; use <SERVICE>_PORT (e.g. API_PORT) with npm start`);
    delete env.PORT;
  }
  return env;
}

/**
 * Runs `nx run cli:infra` once (own process group, output prefixed `infra`), bounded by
 * INFRA_TIMEOUT_MS; resolves to its exit code (1 on timeout or when `cancelled` fires).
 */
function runInfra(nx: string, root: string, env: NodeJS.ProcessEnv, echo: (text: string) => void, cancel: AbortSignal): Promise<number> {
  return new Promise((resolve) => {
    // Plugins in-process, as for the apps' Nx (below): no plugin worker processes competing with the frontends starting meanwhile.
    const child = spawn(nx, ['run', 'cli:infra', '--outputStyle=stream-without-prefixes'], { cwd: root, env: { ...env, NX_ISOLATE_PLUGINS: process.env.NX_ISOLATE_PLUGINS ?? 'false' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const kill = () => {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        /* gone */
      }
    };
    const timer = setTimeout(() => {
      echo(`infra task gave no result within ${INFRA_TIMEOUT_MS / 1000} s: stopped`);
      kill();
    }, INFRA_TIMEOUT_MS);
    cancel.addEventListener('abort', kill, { once: true });
    let partial = { stdout: '', stderr: '' };
    for (const stream of ['stdout', 'stderr'] as const) {
      child[stream]!.on('data', (chunk: Buffer) => {
        const lines = (partial[stream] + chunk.toString()).split('\n');
        partial = { ...partial, [stream]: lines.pop()! };
        for (const line of lines) echo(line);
      });
    }
    child.on('error', (error) => echo(`cannot run ${nx}: ${error.message}`));
    child.on('close', (code) => {
      clearTimeout(timer);
      cancel.removeEventListener('abort', kill);
      for (const rest of Object.values(partial)) if (rest) echo(rest);
      resolve(code ?? 1);
    });
  });
}

/**
 * `hypernode up`: runs the infra task once (the frontends start meanwhile, the other apps after it), and supervises each registry app's own Nx serve
 * target (`nx run <app>:serve --excludeTaskDependencies`) as a process group it owns, with the
 * dashboard's HTTP API (@hypernode/supervisor) on the registry port of `supervisor`. On
 * SIGINT/SIGTERM/SIGHUP (or when its parent goes) it stops every service group, closes its
 * server, then sweeps every process still carrying this run's HYPERNODE_STACK id and whatever of
 * this workspace still holds a port; finally `afterStop`. Resolves to the exit code.
 */
export async function runStack(options: StackOptions): Promise<number> {
  const { root, services, log, stackId } = options;
  const apps = services.filter((s) => isAppKind(s.kind));
  const started = options.only ? apps.filter((a) => options.only!.includes(a.name)) : apps;
  const tool = services.find((s) => s.name === 'supervisor');
  const ports = [...apps.map((a) => a.port), ...(tool ? [tool.port] : [])];
  const env = stackEnv(options);
  const nx = join(root, 'node_modules', '.bin', 'nx');
  const tty = process.stdout.isTTY === true;
  const names = ['infra', ...apps.map((a) => a.name)];
  const width = Math.max(...names.map((n) => n.length));
  const cancel = new AbortController();

  let stopping: Promise<number> | undefined;
  let stopWith: ((code: number) => void) | undefined;
  const stopped = new Promise<number>((resolve) => (stopWith = resolve));
  // Filled once the supervisor is up; the stop closes whatever exists by then.
  const teardown: { run?: () => Promise<void> } = {};

  const stop = (reason: string, code: number): Promise<number> =>
    (stopping ??= (async () => {
      log(`stopping (${reason})`);
      cancel.abort();
      await teardown.run?.().catch((e: Error) => log(`stopping the supervised services: ${e.message}`));
      await Promise.all(pidsWithEnv('HYPERNODE_STACK', stackId).map((pid) => stopProcess(pid, 3_000).catch(() => undefined)));
      for (const holders of findListeners(ports).values()) {
        for (const h of holders) if (h.pid && belongsToWorkspace(h, root)) await stopProcess(h.pid, 3_000).catch(() => undefined);
      }
      await options.afterStop?.().catch((e: Error) => log(e.message));
      const stillHeld = [...findListeners(ports).entries()];
      if (stillHeld.length > 0) {
        log(`ports still held after stop: ${stillHeld.map(([port, h]) => `${port} by ${describeHolders(h)}`).join('; ')}`);
        return 1;
      }
      log(`stopped; ports ${ports.join(', ')} are free`);
      return code;
    })().then((c) => {
      stopWith!(c);
      return c;
    }));

  for (const signal of STOP_SIGNALS) process.on(signal, () => void stop(signal, 0));
  // A signal that came before these handlers existed (while the caller took the slot).
  if (options.stopRequested?.aborted) return stop(String(options.stopRequested.reason), 0);
  // npm does not pass SIGTERM on to its script: when `npm start` is killed, we are
  // re-parented. Treat that as a stop, so no app outlives the command that started it.
  const parent = options.parentPid ?? process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) void stop('parent process exited', 0);
  }, 250).unref();

  const infraPrefix = `${'infra'.padEnd(width)} │ `;
  log('running the infra task (PostgreSQL, Redis, migrations, credentials): nx run cli:infra');
  // Not awaited yet: the supervisor loads meanwhile, and the frontends start (below).
  const infraRun = runInfra(nx, root, env, (line) => process.stdout.write(`${infraPrefix}${line}\n`), cancel.signal);

  // Whatever fails from here (loading the supervisor, the server, a start) stops what already runs
  // (the infra task, the early frontends) instead of leaving it behind.
  try {
    const lib = await loadSupervisorLib();
    const { default: pg } = await import('pg');
    const { defaultDatabaseUrl } = await import('@hypernode/store');
    const { listenHttp } = await import('@hypernode/service-kit');
    const echo = terminalEcho(names, tty);
    const supervisorUrl = tool?.publicUrl;
    // Traces from the services come to the supervisor (OTLP/HTTP) with a token of this run only:
    // no endpoint of the stack takes unauthenticated writes. A user's own endpoint keeps their headers.
    const ownOtlp = process.env.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined;
    const ingestToken = `hnt_${(await import('node:crypto')).randomBytes(24).toString('base64url')}`;
    const { TraceStore, otlpReceiver } = await import('@hypernode/telemetry/receiver');
    const traces = new TraceStore();
    const specs = apps.map((app) => ({
      name: app.name,
      kind: app.kind,
      port: app.port,
      endpoints: [{ name: app.kind === 'websocket' ? 'ws' : 'http', url: app.publicUrl }, ...(app.name === 'api' ? [{ name: 'docs', url: `${app.publicUrl}/docs` }] : [])],
      // Frontends' dev servers (Vite, Next.js) compile a page on its first request: a longer probe timeout keeps a compile from reading as a failure.
      probe: { host: 'localhost', port: app.port, healthPath: app.health.type === 'http' ? app.health.path : '/health', ready: app.kind !== 'frontend', timeoutMs: app.kind === 'frontend' ? 5_000 : 800 },
      launch: () => ({
        command: nx,
        args: ['run', `${app.name}:serve`, '--excludeTaskDependencies', '--outputStyle=stream-without-prefixes'],
        cwd: root,
        env: {
          ...env,
          // Where the services send their traces (another part of the stack reads OTEL_*), unless the user chose.
          OTEL_EXPORTER_OTLP_ENDPOINT: process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? supervisorUrl ?? '',
          ...(ownOtlp ? {} : { OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer ${ingestToken}` }),
          OTEL_SERVICE_NAME: process.env.OTEL_SERVICE_NAME ?? app.name,
          // One Nx per app: plugins loaded in-process rather than in two worker processes per Nx.
          // Measured here (realtime): 0.68 GB + 0.23 GB of workers → 0.48 GB, same start-up time.
          NX_ISOLATE_PLUGINS: process.env.NX_ISOLATE_PLUGINS ?? 'false',
        },
      }),
    }));
    const supervisor = new lib.Supervisor({
      services: specs,
      stopGraceMs: STOP_GRACE_MS,
      echo,
      exitFromOutput: serveExitOf,
      portHolder: (port) => {
        const holders = findListeners([port]).get(port);
        return holders?.length ? describeHolders(holders) : undefined;
      },
    });
    // Credentials are checked in this instance's database, as the api checks them; every query bounded.
    const pool = new pg.Pool({ connectionString: env.DATABASE_URL || defaultDatabaseUrl(env), max: 3, connectionTimeoutMillis: 3_000, statement_timeout: 3_000, query_timeout: 3_000 });
    pool.on('error', () => undefined);
    let closeServer: (() => Promise<void>) | undefined;
    teardown.run = async () => {
      await supervisor.stopAll();
      await closeServer?.();
      await pool.end().catch(() => undefined);
    };
    // The frontends need neither the database nor the infra task's credentials (under `up` they
    // print no sign-in link): their dev servers — Next's first compile is the longest start of the
    // stack — start while the infra task runs; the other apps once it has succeeded.
    const [early, late] = [started.filter((a) => a.kind === 'frontend'), started.filter((a) => a.kind !== 'frontend')];
    if (started.length < apps.length) log(`not starting ${apps.filter((a) => !started.includes(a)).map((a) => a.name).join(', ')} (--only): start them from the dashboard or POST /services/<name>/start`);
    if (stopping) return stopped;
    if (early.length > 0) log(`starting ${early.map((a) => `${a.name} :${a.port}`).join(', ')} (the rest after the infra task)`);
    await supervisor.startAll(early.map((a) => a.name));
    const infraCode = await infraRun;
    if (stopping) return stopped;
    if (infraCode !== 0) {
      log(`the infra task failed (exit ${infraCode}); its output is above. Stopping ${early.map((a) => a.name).join(', ')}; nothing else was started.`);
      return stop('infra task failed', 1);
    }
    if (tool) {
      const server = await lib.createSupervisorServer({ supervisor, pool, origins: browserOrigins({ env }), instance: Number(env.HYPERNODE_INSTANCE ?? 0), checkout: root,
        plugins: [
          ...(options.plugins ?? []),
          async (server) => server.register(otlpReceiver, { store: traces, logsForTrace: (id) => supervisor.logs.logsForTrace(id), ingestToken, ingestRouteConfig: { scope: 'none' } }),
        ],
      });
      await server.ready();
      try {
        const listening = await listenHttp(server.server, tool.port, bindHostFor({ env }));
        closeServer = async () => {
          await server.close();
          await listening.close();
        };
      } catch (error) {
        log(`the supervisor cannot listen on ${tool.port}: ${(error as Error).message}; the stack runs without dashboard logs and actions`);
      }
    }
    if (stopping) return stopped;
    if (late.length > 0) log(`starting ${late.map((a) => `${a.name} :${a.port}`).join(', ')}`);
    await supervisor.startAll(late.map((a) => a.name));
    void (async () => {
      const wait = await waitHealthy(started, { waitMs: 120_000 }).catch(() => undefined);
      if (stopping) return;
      const down = wait?.results.filter((r) => r.required && r.status !== 'up') ?? [];
      if (down.length > 0) log(`not up after 120 s: ${down.map((r) => `${r.name} :${r.port} (${r.detail})`).join(', ')}; their output is above (or in the dashboard's logs); the rest of the stack runs`);
      const lines = options.banner?.();
      if (lines) console.log(lines.join('\n'));
      if (closeServer && supervisorUrl) log(`supervisor: ${supervisorUrl} (services, logs, restart/stop/start; the dashboard uses it)`);
    })();
    return stopped;
  } catch (error) {
    log(`the stack cannot start: ${(error as Error).message}`);
    return stop('start-up failed', 1);
  }
}

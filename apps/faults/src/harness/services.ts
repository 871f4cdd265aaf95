import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onExit } from './cleanup.js';
import { FaultsHarnessError, waitFor } from './wait.js';

/** The workspace root (apps/faults/src/harness → four levels up). */
export const WORKSPACE = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
/**
 * The workspace whose apps are run: this one, or FAULTS_SERVICES_ROOT (e.g. an exported copy of
 * a commit, to measure "before" while the tree is being changed).
 */
export const SERVICES_ROOT = process.env.FAULTS_SERVICES_ROOT ? resolve(process.env.FAULTS_SERVICES_ROOT) : WORKSPACE;
/** Where service logs and the report go. */
export const FAULTS_TMP = join(WORKSPACE, 'tmp/faults');

/** The Node services the suite runs. */
export type AppName = 'api' | 'realtime' | 'automation' | 'gpu-worker';

/** How a service process ended. */
export interface ExitRecord {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** performance.now() when it exited. */
  at: number;
}

/** One service running as its own process, exactly as its serve target runs it. */
export interface ServiceProcess {
  /** Unique label (e.g. `gpu-worker-2`); also the log file's name. */
  name: string;
  app: AppName;
  port: number;
  url: string;
  child: ChildProcess;
  logFile: string;
  /** Set once the process has exited. */
  exited: ExitRecord | undefined;
  /** Resolves when the process exits. */
  exit: Promise<ExitRecord>;
  /** Sends a signal; returns performance.now() at sending. */
  signal(signal: NodeJS.Signals): number;
  /** Waits (bounded) for the exit; undefined when it is still running after `ms`. */
  waitExit(ms: number): Promise<ExitRecord | undefined>;
}

// Settings of the developer's shell that would move a service off what the suite gives it.
const INHERITED_OUT = /^(PORT|FAULTS_.*|NODE_OPTIONS|DATABASE_URL|REDIS_URL|API_URL|HYPERNODE_.*|.*_PORT|API_.*|AUTOMATION_.*|GPU_WORKER_.*|VITEST.*)$/;

/** process.env without anything that chooses a port, a dependency or a setting of a service. */
export function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !INHERITED_OUT.test(k)));
}

/**
 * Spawns `node --import tsx src/main.ts` in apps/<app> with `env` (over a cleaned process.env),
 * stdout and stderr to tmp/faults/logs/<run>/<name>.log; waits for GET /health (bounded).
 */
export async function startService(options: { app: AppName; name: string; port: number; env: NodeJS.ProcessEnv; logDir: string; healthMs?: number; ready?: (body: Record<string, unknown>) => boolean }): Promise<ServiceProcess> {
  mkdirSync(options.logDir, { recursive: true });
  const logFile = join(options.logDir, `${options.name}.log`);
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: join(SERVICES_ROOT, 'apps', options.app), env: { ...cleanEnv(), ...options.env }, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const forget = onExit(() => child.kill('SIGKILL'));
  const service: ServiceProcess = {
    name: options.name,
    app: options.app,
    port: options.port,
    url: `http://127.0.0.1:${options.port}`,
    child,
    logFile,
    exited: undefined,
    exit: new Promise<ExitRecord>((resolve) =>
      child.once('exit', (code, signal) => {
        forget();
        service.exited = { code, signal, at: performance.now() };
        resolve(service.exited);
      }),
    ),
    signal: (signal) => {
      const at = performance.now();
      if (!service.exited) child.kill(signal);
      return at;
    },
    waitExit: (ms) => Promise.race([service.exit, new Promise<undefined>((r) => setTimeout(() => r(undefined), ms).unref())]),
  };
  child.on('error', () => undefined);
  try {
    await waitFor(
      `${options.name} /health (log ${logFile})`,
      async () => {
        if (service.exited) throw new FaultsHarnessError(`${options.name} exited with ${service.exited.code ?? service.exited.signal} while starting (log ${logFile})`);
        const res = await fetch(`${service.url}/health`, { signal: AbortSignal.timeout(1000) });
        if (!res.ok) return false;
        return options.ready ? options.ready((await res.json()) as Record<string, unknown>) : true;
      },
      options.healthMs ?? 60_000,
      200,
    );
  } catch (error) {
    child.kill('SIGKILL');
    if (service.exited) throw new FaultsHarnessError(`${options.name} exited with ${service.exited.code ?? service.exited.signal} while starting (log ${logFile})`);
    throw error;
  }
  return service;
}

/** SIGKILLs every service still running and waits (bounded) for each exit. */
export async function killAll(services: Iterable<ServiceProcess>): Promise<void> {
  const live = [...services].filter((s) => !s.exited);
  for (const s of live) s.signal('SIGKILL');
  await Promise.all(live.map((s) => s.waitExit(5000)));
}

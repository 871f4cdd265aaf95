import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The workspace root (bench/src/lib → three up). */
export const WORKSPACE = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** A bench step that could not run (a server would not start); names what and where to look. */
export class BenchHarnessError extends Error {
  readonly code = 'E_BENCH_HARNESS';
  constructor(message: string) {
    super(message);
    this.name = 'BenchHarnessError';
  }
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` every `everyMs` until truthy or `ms` passes (BenchHarnessError naming `what`). */
export async function waitFor<T>(what: string, probe: () => Promise<T>, ms: number, everyMs = 50): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  let last = '';
  for (;;) {
    try {
      const value = await probe();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      last = (error as Error).message;
    }
    if (Date.now() >= end) throw new BenchHarnessError(`${what} did not happen within ${ms} ms${last ? `: ${last}` : ''}`);
    await sleep(everyMs);
  }
}

// Settings of the developer's shell that would move a service off what the bench gives it.
const INHERITED_OUT = /^(PORT|NODE_OPTIONS|DATABASE_URL|REDIS_URL|API_URL|HYPERNODE_.*|.*_PORT|API_.*|REALTIME_.*|AUTOMATION_.*|GPU_WORKER_.*|VITEST.*)$/;

/** process.env without any setting of the developer's shell that would move a service. */
export function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !INHERITED_OUT.test(k)));
}

/** A node process the bench started. */
export interface NodeProcess {
  name: string;
  url: string;
  child: ChildProcess;
  logFile: string;
  /** Resident set size now, MB (from /proc). */
  rssMb(): number;
  /** User + system CPU seconds it has used so far (Linux /proc; 10 ms clock ticks). */
  cpuSeconds(): number;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it exited. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<ChildProcess>();
/** Graceful stops of what is not in `live` (a detached `npm start` group): run when the bench is interrupted. */
const cleanups = new Set<() => Promise<void>>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});
// A signal ends the process without 'exit' handlers: stop the bench's processes first, so an
// interrupted run leaves no stack behind. A stack gets its own SIGTERM (its supervisor stops the
// app groups it owns; a SIGKILL would orphan them), bounded; then whatever is left is killed.
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.once(signal, () => {
    console.error(`bench: ${signal}, stopping the processes it started`);
    void Promise.race([Promise.allSettled([...cleanups].map((c) => c())), sleep(30_000)]).finally(() => process.exit(code));
  });
}

/** Runs `cleanup` if the bench is interrupted before the returned function is called (which forgets it). */
export function onInterrupt(cleanup: () => Promise<void>): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/**
 * Starts `node [--import tsx] <entry>` in `cwd` with `env` (over process.env without any
 * service setting), output to `<logDir>/<name>.log`, and waits (bounded) for `GET <url><healthPath>` → 2xx.
 */
export async function startNode(options: { name: string; cwd: string; entry: string; env: NodeJS.ProcessEnv; url: string; logDir: string; healthPath?: string; ready?: (body: unknown) => boolean; timeoutMs?: number; tsx?: boolean; nodeArgs?: string[] }): Promise<NodeProcess> {
  mkdirSync(options.logDir, { recursive: true });
  const logFile = join(options.logDir, `${options.name}.log`);
  const fd = openSync(logFile, 'a');
  const base = cleanEnv();
  const args = [...(options.nodeArgs ?? []), ...(options.tsx === false ? [] : ['--import', 'tsx']), options.entry];
  const child = spawn(process.execPath, args, { cwd: options.cwd, env: { ...base, ...options.env }, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  live.add(child);
  let exited: string | undefined;
  const exit = new Promise<void>((r) =>
    child.once('exit', (code, signal) => {
      live.delete(child);
      exited = String(code ?? signal);
      r();
    }),
  );
  child.on('error', () => undefined);
  const proc: NodeProcess = {
    name: options.name,
    url: options.url,
    child,
    logFile,
    rssMb: () => {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
    },
    cpuSeconds: () => cpuSecondsOf(child.pid!),
    stop: async (graceMs = 5000) => {
      if (exited !== undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
    },
  };
  try {
    await waitFor(
      `${options.name} ${options.url}${options.healthPath ?? '/health'} → 2xx (log ${logFile})`,
      async () => {
        if (exited !== undefined) throw new BenchHarnessError(`${options.name} exited with ${exited} while starting (log ${logFile})`);
        const res = await fetch(`${options.url}${options.healthPath ?? '/health'}`, { signal: AbortSignal.timeout(1000) });
        if (!res.ok) return false;
        return options.ready ? options.ready(await res.json()) : true;
      },
      options.timeoutMs ?? 60_000,
    );
  } catch (error) {
    await proc.stop(0);
    if (exited !== undefined && !(error as Error).message.includes('exited')) throw new BenchHarnessError(`${options.name} exited with ${exited} while starting (log ${logFile})`);
    throw error;
  }
  return proc;
}

/** User + system CPU seconds a process has used so far (Linux /proc/<pid>/stat; clock ticks of 10 ms). */
export function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The servers a bench stack shares with the machine (PostgreSQL's backends, redis-server), by command name. */
export const SHARED_SERVERS = ['postgres', 'redis-server'] as const;

/** CPU seconds of every process whose command name is `name` (e.g. every PostgreSQL backend). */
export function cpuOfCommand(name: string): number {
  return readdirSync('/proc')
    .filter((pid) => /^\d+$/.test(pid))
    .reduce((sum, pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === name ? sum + cpuSecondsOf(Number(pid)) : sum;
      } catch {
        return sum; // gone meanwhile
      }
    }, 0);
}

import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { waitHealthy } from '@hypernode/health';
import { belongsToWorkspace, describeHolders, findListeners, pidsWithEnv, stopProcess, WORKSPACE_MARKER } from '@hypernode/port-inspect';
import { isAppKind, portEnvVar, type ResolvedService } from '@hypernode/ports';
import { CliError } from '../common.js';

/** How long apps get to exit after SIGTERM before they are killed. */
export const STOP_GRACE_MS = 12_000;

/** Refuses to start when any app port is taken, naming every holder at once. */
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

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * Prints the banner once every app answers its health check (so it is not lost in the apps'
 * start-up output), or after 120 s at the latest; never once the stack is stopping.
 */
function printBannerWhenUp(banner: () => string[] | undefined, apps: readonly ResolvedService[], child: ChildProcess): void {
  void (async () => {
    await waitHealthy(apps, { waitMs: 120_000 }).catch(() => undefined);
    const lines = banner();
    if (lines && child.exitCode === null && child.signalCode === null) console.log(lines.join('\n'));
  })();
}

/** Everything a stack run needs. */
export interface StackOptions {
  root: string;
  services: readonly ResolvedService[];
  /** Extra environment for the apps (profile, instance). */
  env: NodeJS.ProcessEnv;
  /** HYPERNODE_STACK: marks every process of this run (and the infra its infra task starts). */
  stackId: string;
  log: (line: string) => void;
  /** Lines (the sign-in URLs) printed once every app is up; undefined prints nothing. */
  banner?: () => string[] | undefined;
  /** Runs once everything is stopped (stops the infra this run started). */
  afterStop?: () => Promise<void>;
}

/**
 * Runs `nx run-many -t serve` for every registry app (Nx runs their `cli:infra` dependency
 * first) in its own process group, and on SIGINT/SIGTERM/SIGHUP (or when Nx exits) stops them
 * all: the group first, then every process still carrying this run's HYPERNODE_STACK id, then
 * whatever of this workspace still holds an app port; finally `afterStop`. Resolves to the exit code.
 */
export async function runStack(options: StackOptions): Promise<number> {
  const { root, services, log, stackId } = options;
  const apps = services.filter((s) => isAppKind(s.kind));
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, HYPERNODE_STACK: stackId, [WORKSPACE_MARKER]: root, NX_TUI: 'false', NX_DAEMON: 'false', FORCE_COLOR: process.stdout.isTTY ? '1' : '0' };
  // Workers register with the join token (bootstrapAuth); a stale shared secret must not leak in.
  delete env.HYPERNODE_WORKER_TOKEN;
  // This is a new Nx run, not a task of an Nx run that started us (`npm start` inside a CI task, the
  // tests): Nx would key its loop detection to that outer run, and a stack of this checkout that
  // was SIGKILLed leaves its task registrations there, so the next start would be refused as
  // "recursive task invocation".
  delete env.NX_INVOCATION_ROOT_PID;
  if (env.PORT) {
    log(`ignoring PORT=${env.PORT}: it applies to one service run alone; use <SERVICE>_PORT (e.g. API_PORT) with npm start`);
    delete env.PORT;
  }
  const nx = join(root, 'node_modules', '.bin', 'nx');
  const args = ['run-many', '-t', 'serve', '--projects', apps.map((a) => a.name).join(','), '--parallel', String(apps.length + 1), '--outputStyle', 'stream'];
  log(`starting ${apps.map((a) => `${a.name} :${a.port}`).join(', ')}`);
  // Own process group (so one signal reaches all of Nx) and piped output: Nx never sees a
  // terminal it does not own, which in a TTY made its native runner abort (EIO).
  const child = spawn(nx, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout!.pipe(process.stdout, { end: false });
  child.stderr!.pipe(process.stderr, { end: false });
  if (options.banner) printBannerWhenUp(options.banner, apps, child);

  let stopping: Promise<number> | undefined;
  const stop = (reason: string, code: number): Promise<number> =>
    (stopping ??= (async () => {
      log(`stopping (${reason})`);
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        /* group already gone */
      }
      if (!(await waitExit(child, STOP_GRACE_MS))) {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      await Promise.all(pidsWithEnv('HYPERNODE_STACK', stackId).map((pid) => stopProcess(pid, 3_000).catch(() => undefined)));
      const leftovers = findListeners(apps.map((a) => a.port));
      for (const holders of leftovers.values()) {
        for (const h of holders) if (h.pid && belongsToWorkspace(h, root)) await stopProcess(h.pid, 3_000).catch(() => undefined);
      }
      await options.afterStop?.().catch((e: Error) => log(e.message));
      const stillHeld = [...findListeners(apps.map((a) => a.port)).entries()];
      if (stillHeld.length > 0) {
        log(`ports still held after stop: ${stillHeld.map(([port, h]) => `${port} by ${describeHolders(h)}`).join('; ')}`);
        return 1;
      }
      log(`stopped; ports ${apps.map((a) => a.port).join(', ')} are free`);
      return code;
    })());

  return new Promise<number>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.on(signal, () => void stop(signal, 0).then(resolve));
    }
    // npm does not pass SIGTERM on to its script: when `npm start` is killed, we are
    // re-parented. Treat that as a stop, so no app outlives the command that started it.
    const parent = process.ppid;
    setInterval(() => {
      if (process.ppid !== parent) void stop('parent process exited', 0).then(resolve);
    }, 250).unref();
    child.on('exit', (code, signal) => {
      if (!stopping) void stop(`nx exited with ${signal ?? code}`, code === 0 ? 0 : 1).then(resolve);
    });
  });
}

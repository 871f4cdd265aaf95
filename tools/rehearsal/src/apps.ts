import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { listServices, nodeFlags } from '@hypernode/ports';

/** The six apps, in start order: the api first (it applies the migrations), the frontends last. */
export const APPS = ['api', 'realtime', 'automation', 'gpu-worker', 'site', 'llm-deployer'] as const;
export type AppName = (typeof APPS)[number];

/** How an app starts from its build output. */
export interface BuildCommand {
  args: string[];
  cwd: string;
}

/**
 * Each app's production entry: `dist/apps/<name>/main.js` — the Node apps' and the site's bundle
 * beside its pruned manifest, llm-deployer's launcher beside Next's standalone output. Never a source file.
 * Node runs it with the flags the image's CMD gives it (libs/ports nodeFlags).
 */
export function buildCommand(root: string, name: AppName): BuildCommand {
  // llm-deployer's main.js binds the registry port and starts Next's standalone server.js beside it.
  const candidates = [join(root, 'dist/apps', name, 'main.js')];
  const file = candidates.find((f) => existsSync(f));
  if (!file) throw new Error(`${name} has no build output (looked for ${candidates.map((c) => c.slice(root.length + 1)).join(', ')}): run \`npx nx run ${name}:build\``);
  // The same flags as the image's CMD (its heap cap from the registry memory limit).
  const entry = listServices().find((s) => s.name === name);
  return { args: [...(entry ? nodeFlags(entry) : []), file], cwd: join(file, '..') };
}

/** One app started from its build output. */
export interface RunningApp {
  name: AppName;
  port: number;
  child: ChildProcess;
  /** The last `lines` lines it printed (default 25; for a failure message). */
  tail(lines?: number): string;
  /** SIGTERM, then up to `graceMs` (default 16 s: past runService's 10-s bound and its shutdown watchdog's 11 s plus up to 4 s for its stack) for it to exit; resolves to how it ended. */
  stop(graceMs?: number): Promise<StopOutcome>;
}

/** How a stopped app ended: clean means it exited 0 on its own after SIGTERM. */
export interface StopOutcome {
  code: number | null;
  /** The signal that ended it (SIGTERM here means it died of the signal itself: its handler never ran). */
  signal: NodeJS.Signals | null;
  /** True when it outlived the grace period and got SIGKILL. */
  killed: boolean;
  /** True when it had ended before the SIGTERM was sent. */
  before?: boolean;
}

export const stoppedCleanly = (o: StopOutcome): boolean => o.code === 0;

/** How long `stop` waits after SIGTERM before SIGKILL: past runService's 10-s bound and its shutdown watchdog (11 s, then up to 4 s for a stack), so either one shows. */
export const STOP_GRACE_MS = 16_000;

/** "exited 1", "had to be killed (still running 15 s after SIGTERM)", "died of SIGKILL" (the shutdown watchdog), … for a failure message. */
export function describeStop(o: StopOutcome, graceMs = STOP_GRACE_MS): string {
  if (o.killed) return `had to be killed (still running ${graceMs / 1000} s after SIGTERM)`;
  const when = o.before ? ' before it was sent SIGTERM' : '';
  if (o.signal === 'SIGTERM') return `died of SIGTERM itself${when} (its shutdown handler did not run)`;
  // A SIGKILL nobody here sent: runService's shutdown watchdog (its stack is in the last lines) or the kernel's OOM killer.
  if (o.signal === 'SIGKILL' && !o.before) return 'was SIGKILLed by its shutdown watchdog or the OOM killer (the watchdog leaves a stack in its last lines)';
  if (o.signal) return `died of ${o.signal}${when}`;
  return `exited ${o.code}${when}`;
}

/** Starts one app and resolves once `healthUrl` answers 200; rejects with its output when it exits or stays unhealthy for `waitMs`. */
export async function startApp(name: AppName, command: BuildCommand, env: NodeJS.ProcessEnv, port: number, healthUrl: string, waitMs = 60_000): Promise<RunningApp> {
  const child = spawn(process.execPath, command.args, { cwd: command.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const keep = (d: Buffer) => {
    lines.push(...d.toString().split('\n').filter(Boolean));
    if (lines.length > 120) lines.splice(0, lines.length - 120);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<StopOutcome>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, killed: false })));
  const app: RunningApp = {
    name,
    port,
    child,
    tail: (count = 25) => lines.slice(-count).join('\n'),
    stop: async (graceMs = STOP_GRACE_MS) => {
      if (child.exitCode !== null || child.signalCode !== null) return { code: child.exitCode, signal: child.signalCode, killed: false, before: true };
      child.kill('SIGTERM');
      const outcome = await Promise.race([exited, sleep(graceMs).then(() => 'timeout' as const)]);
      if (outcome !== 'timeout') return outcome;
      child.kill('SIGKILL');
      return { ...(await exited), killed: true };
    },
  };
  let ended = false;
  void exited.then(() => (ended = true));
  for (const until = Date.now() + waitMs; Date.now() < until; await sleep(200)) {
    if (ended) throw new Error(`${name} exited with code ${child.exitCode} before it was healthy:\n${app.tail()}`);
    const res = await fetch(healthUrl, { signal: AbortSignal.timeout(1_000) }).catch(() => undefined);
    if (res?.status === 200) return app;
  }
  await app.stop(2_000);
  throw new Error(`${name} did not answer ${healthUrl} within ${waitMs / 1000} s:\n${app.tail()}`);
}

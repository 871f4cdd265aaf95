import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

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
 */
export function buildCommand(root: string, name: AppName): BuildCommand {
  // llm-deployer's main.js binds the registry port and starts Next's standalone server.js beside it.
  const candidates = [join(root, 'dist/apps', name, 'main.js')];
  const file = candidates.find((f) => existsSync(f));
  if (!file) throw new Error(`${name} has no build output (looked for ${candidates.map((c) => c.slice(root.length + 1)).join(', ')}): run \`npx nx run ${name}:build\``);
  return { args: [file], cwd: join(file, '..') };
}

/** One app started from its build output. */
export interface RunningApp {
  name: AppName;
  port: number;
  child: ChildProcess;
  /** The last lines it printed (for a failure message). */
  tail(): string;
  /** SIGTERM, then up to `graceMs` for it to exit; resolves to its exit code (null: it had to be killed). */
  stop(graceMs?: number): Promise<number | null>;
}

/** Starts one app and resolves once `healthUrl` answers 200; rejects with its output when it exits or stays unhealthy for `waitMs`. */
export async function startApp(name: AppName, command: BuildCommand, env: NodeJS.ProcessEnv, port: number, healthUrl: string, waitMs = 60_000): Promise<RunningApp> {
  const child = spawn(process.execPath, command.args, { cwd: command.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const keep = (d: Buffer) => {
    lines.push(...d.toString().split('\n').filter(Boolean));
    if (lines.length > 80) lines.splice(0, lines.length - 80);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const app: RunningApp = {
    name,
    port,
    child,
    tail: () => lines.slice(-25).join('\n'),
    stop: async (graceMs = 12_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const code = await Promise.race([exited, sleep(graceMs).then(() => 'timeout' as const)]);
      if (code !== 'timeout') return code;
      child.kill('SIGKILL');
      await exited;
      return null;
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

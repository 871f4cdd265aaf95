import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { leaseFilePath, leaseOfRun, lineage } from '@hypernode/instances';
import { tracingEnabled } from '@hypernode/telemetry/enabled';
import { bundleForServe, type BuildAsset, type ServeBundle } from './bundle';
import { describeFailure, recordServeFailure, RUN_ID_ENV, type ServeFailure } from './failures';

export interface ServeExecutorOptions {
  entry: string;
  cwd: string;
  /** A Node app's: run it from an esbuild bundle of the entry (see bundle.ts) instead of through tsx. */
  bundle?: boolean;
  env?: Record<string, string>;
  secretFiles?: Record<string, string>;
  /** A frontend's: the file `hypernode infra` leaves the one-time sign-in URLs in; its own is printed at start (not under `npm start`, which prints them all once the stack is up). */
  signInFile?: string;
}

/** Prints this frontend's one-time sign-in URL from the infra task's file, so a bare `nx run-many -t serve` shows it among the app's output. */
function announceSignIn(root: string, file: string, service: string | undefined, env: NodeJS.ProcessEnv): void {
  if (env.HYPERNODE_STACK || !service) return;
  try {
    const { urls } = JSON.parse(readFileSync(join(root, file), 'utf8')) as { urls: { service: string; url: string }[] };
    const mine = urls.find((u) => u.service === service);
    if (mine) console.log(`\n${service}: sign in with this one-time link (15 minutes): ${mine.url}\n`);
  } catch {
    /* no file: the infra task did not run (e.g. --exclude-task-dependencies) */
  }
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
// Exit codes a process gets from a stop signal (128 + n), whoever sent it: Nx stops a stack
// by signalling the whole process tree, so the app may see the signal before this wrapper does.
const STOP_CODES = new Set([130, 143, 129]);

function readSecret(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  const value = readFileSync(path, 'utf8').trim();
  return value === '' ? undefined : value;
}

/**
 * The environment an app starts with: Nx's, the target's, then secrets from files the
 * environment does not already set. Without HYPERNODE_INSTANCE, the app runs as the instance
 * leased for this run (the `cli:infra` task leases one for the Nx process; `hypernode up` for
 * itself): the checkout's live lease held by this process or an ancestor, so every app of a
 * bare `nx run-many -t serve` gets the same slot, its ports and its data.
 */
export function serveEnv(root: string, options: ServeExecutorOptions, base: NodeJS.ProcessEnv, pids: readonly number[] = lineage()): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, ...options.env };
  if (!env.HYPERNODE_INSTANCE) {
    const lease = leaseOfRun(root, pids, leaseFilePath(env));
    if (lease) env.HYPERNODE_INSTANCE = String(lease.slot);
  }
  for (const [name, file] of Object.entries(options.secretFiles ?? {})) {
    if (env[name]) continue;
    const value = readSecret(join(root, file));
    if (value) env[name] = value;
  }
  return env;
}

/**
 * Node's arguments for an app: `--import tsx <entry>`, plus the tracing preload before the entry
 * when OTEL_EXPORTER_OTLP_ENDPOINT is set (ESM auto-instrumentation needs its loader hook in place
 * before the app's modules load). Without it, nothing of OpenTelemetry is loaded.
 */
export function serveArgs(entry: string, env: NodeJS.ProcessEnv): string[] {
  return ['--import', 'tsx', ...(tracingEnabled(env) ? ['--import', '@hypernode/telemetry/preload'] : []), entry];
}

/** Node's arguments for an app run from its bundle: source-mapped stack traces, the bundled tracing preload when there is one. */
export function bundleArgs(bundle: Pick<ServeBundle, 'main' | 'preload'>): string[] {
  return ['--enable-source-maps', ...(bundle.preload ? ['--import', bundle.preload] : []), bundle.main];
}

/** The assets of the project's build target (copied beside main.js by the production build). */
function buildAssets(context: ExecutorContext): BuildAsset[] {
  const assets = context.projectsConfigurations?.projects[context.projectName ?? '']?.targets?.build?.options?.assets as unknown;
  return Array.isArray(assets) ? assets.filter((a): a is BuildAsset => typeof a === 'object' && a !== null && typeof a.input === 'string' && typeof a.output === 'string') : [];
}

/**
 * Runs one app (from its bundle, or `node --import tsx <entry>`) as a child, passes stop signals
 * on, and resolves when it exits: a stop is success; an exit on its own with a failure (or a
 * bundle that cannot be built) is recorded for the plugin's postTasksExecution hook, which fails
 * the Nx command (see failures.ts).
 */
export default async function serveExecutor(options: ServeExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  const task = `${context.projectName}:${context.targetName}${context.configurationName ? `:${context.configurationName}` : ''}`;
  const env = serveEnv(context.root, options, process.env);
  if (options.signInFile) announceSignIn(context.root, options.signInFile, env.HYPERNODE_SERVICE, env);
  const fail = (code: number | null, signal: NodeJS.Signals | null) => {
    const failure: ServeFailure = { run: process.env[RUN_ID_ENV] ?? 'unknown', task, code, signal, at: Date.now() };
    recordServeFailure(context.root, failure);
    console.error(`\n${describeFailure(failure)}: this Nx command will exit 1\n`);
    return { success: false };
  };
  let bundle: ServeBundle | undefined;
  if (options.bundle) {
    try {
      bundle = await bundleForServe({ root: context.root, name: context.projectName ?? 'app', cwd: options.cwd, entry: options.entry, tracing: tracingEnabled(env), assets: buildAssets(context) });
    } catch (error) {
      console.error(`${task}: ${(error as Error).message}`);
      return fail(1, null);
    }
  }
  const child = spawn(process.execPath, bundle ? bundleArgs(bundle) : serveArgs(options.entry, env), { cwd: join(context.root, options.cwd), env, stdio: 'inherit' });
  let stopping = false;
  const forward = (signal: NodeJS.Signals) => {
    stopping = true;
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, forward);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
    child.once('error', (error) => {
      console.error(`${task}: cannot start ${options.entry}: ${error.message}`);
      resolve([1, null]);
    });
    child.once('exit', (c, s) => resolve([c, s]));
  });
  for (const s of STOP_SIGNALS) process.off(s, forward);
  bundle?.remove();
  const stopped = stopping || (signal !== null && (STOP_SIGNALS as readonly string[]).includes(signal)) || (code !== null && STOP_CODES.has(code));
  if (stopped || code === 0) return { success: true };
  return fail(code, signal);
}

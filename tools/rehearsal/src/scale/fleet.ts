import { buildCommand, startApp, type RunningApp } from '../apps.js';
import { label, type ScaledApp } from './topology.js';

/** One running instance of a replicated app. */
export interface Instance {
  label: string;
  app: ScaledApp;
  port: number;
  run: RunningApp;
}

/** What an instance's environment is made from. */
export interface FleetSetup {
  root: string;
  /** The environment every instance shares (compose's, mapped to this machine). */
  base: (app: ScaledApp) => NodeJS.ProcessEnv;
  /** The port peers reach the api on: nginx's in-cluster listener (the api's Service), load-balanced over every api instance. */
  apiServicePort: number;
}

/**
 * Starts one instance from its build output: its own port; every other app reaches the api
 * through the api Service port (never one instance), as replicas behind a Service do. GPU
 * workers get a name of their own and count as started once registered (/ready 200).
 */
export async function startInstance(setup: FleetSetup, app: ScaledApp, i: number, port: number): Promise<Instance> {
  const env: NodeJS.ProcessEnv = { ...setup.base(app) };
  if (app === 'api') env.API_PORT = String(port);
  else env.API_PORT = String(setup.apiServicePort);
  if (app === 'realtime') env.REALTIME_PORT = String(port);
  if (app === 'automation') env.AUTOMATION_PORT = String(port);
  if (app === 'gpu-worker') {
    env.GPU_WORKER_PORT = String(port);
    env.GPU_WORKER_NAME = `scale-worker-${i}`;
  }
  const health = `http://127.0.0.1:${port}${app === 'gpu-worker' ? '/ready' : '/health'}`;
  const run = await startApp(app, buildCommand(setup.root, app), env, port, health);
  return { label: label(app, i), app, port, run };
}

/** SIGKILL, as `kill -9`; resolves once it has exited (bounded). */
export async function killInstance(instance: Instance): Promise<void> {
  const exited = new Promise<void>((r) => (instance.run.child.exitCode !== null || instance.run.child.signalCode !== null ? r() : instance.run.child.once('exit', () => r())));
  instance.run.child.kill('SIGKILL');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000).unref())]);
}

import { urlFor } from '@hypernode/ports';

/** The GPU worker's settings. */
export interface WorkerConfig {
  apiUrl: string;
  token: string;
  name: string;
  gpuModel: string;
  vramGb: number;
  /** How long a simulated job takes from download to serving. */
  jobMs: number;
  /** Fail every job when it reaches this percentage (tests inject failures with it). */
  failAtPercent?: number;
  heartbeatMs: number;
}

/** A setting that cannot be used; names the variable, the value and the fix. */
export class WorkerConfigError extends Error {
  readonly code = 'E_WORKER_CONFIG';
}

function num(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new WorkerConfigError(`${name}=${JSON.stringify(raw)} is not valid: expected a number ${min}–${max} (default ${fallback})`);
  return n;
}

/** Reads the worker's settings; `port` names it by default so several workers differ. */
export function loadWorkerConfig(env: NodeJS.ProcessEnv, port: number): WorkerConfig {
  const token = env.HYPERNODE_WORKER_TOKEN;
  if (!token) throw new WorkerConfigError('HYPERNODE_WORKER_TOKEN is not set: the worker cannot register with the api. `npm start` sets one; alone, set the same value the api has.');
  return {
    apiUrl: env.API_URL || urlFor('api', { env }),
    token,
    name: env.GPU_WORKER_NAME || `gpu-worker-${port}`,
    gpuModel: env.GPU_WORKER_GPU_MODEL || 'SIM-A100',
    vramGb: num(env, 'GPU_WORKER_VRAM_GB', 80, 1, 4096),
    jobMs: num(env, 'GPU_WORKER_JOB_MS', 6000, 10, 24 * 3600 * 1000),
    failAtPercent: env.GPU_WORKER_FAIL_AT ? num(env, 'GPU_WORKER_FAIL_AT', 50, 0, 100) : undefined,
    heartbeatMs: num(env, 'GPU_WORKER_HEARTBEAT_MS', 2000, 100, 60_000),
  };
}

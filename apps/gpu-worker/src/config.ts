import { urlFor } from '@hypernode/ports';
import { env, parseEnv } from '@hypernode/service-kit';

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

/** The variables the worker reads (its one schema). */
const WORKER_ENV = {
  HYPERNODE_WORKER_TOKEN: env.secret(16, true, 'the worker cannot register with the api without it; `npm start` sets one, alone set the same value the api has'),
  API_URL: env.url(undefined, ['http', 'https']),
  GPU_WORKER_NAME: env.str(undefined),
  GPU_WORKER_GPU_MODEL: env.str('SIM-A100'),
  GPU_WORKER_VRAM_GB: env.num(80, 1, 4096),
  GPU_WORKER_JOB_MS: env.num(6000, 10, 24 * 3600 * 1000),
  GPU_WORKER_FAIL_AT: env.num(undefined, 0, 100),
  GPU_WORKER_HEARTBEAT_MS: env.num(2000, 100, 60_000),
};

/** Reads the worker's settings (ConfigError lists every bad one); `port` names it by default so several workers differ. */
export function loadWorkerConfig(source: NodeJS.ProcessEnv, port: number): WorkerConfig {
  const vars = parseEnv('gpu-worker', WORKER_ENV, source);
  return {
    apiUrl: vars.API_URL ?? urlFor('api', { env: source }),
    token: vars.HYPERNODE_WORKER_TOKEN!,
    name: vars.GPU_WORKER_NAME ?? `gpu-worker-${port}`,
    gpuModel: vars.GPU_WORKER_GPU_MODEL,
    vramGb: vars.GPU_WORKER_VRAM_GB,
    jobMs: vars.GPU_WORKER_JOB_MS,
    failAtPercent: vars.GPU_WORKER_FAIL_AT,
    heartbeatMs: vars.GPU_WORKER_HEARTBEAT_MS,
  };
}

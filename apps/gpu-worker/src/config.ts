import { hostFor, urlFor, urlHost } from '@hypernode/ports';
import { ConfigError, env, parseEnv } from '@hypernode/service-kit';

/** The GPU worker's settings. */
export interface WorkerConfig {
  /** The api it registers with: API_URL, else the registry's for the network (localhost, or `api` under compose). */
  apiUrl: string;
  /**
   * The URL it tells the api (and so the engine) to reach it on: GPU_WORKER_ADVERTISE_URL, else
   * its own host for the network (localhost, `gpu-worker` under compose, GPU_WORKER_HOST) and port.
   */
  advertiseUrl: string;
  /** The join token (`hnj_…`) the worker registers with; the api answers with this node's own credential. */
  joinToken: string;
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
  API_URL: env.url(undefined, ['http', 'https']),
  GPU_WORKER_ADVERTISE_URL: env.url(undefined, ['http', 'https']),
  GPU_WORKER_NAME: env.str(undefined),
  GPU_WORKER_GPU_MODEL: env.str('SIM-A100'),
  GPU_WORKER_VRAM_GB: env.num(80, 1, 4096),
  GPU_WORKER_JOB_MS: env.num(6000, 10, 24 * 3600 * 1000),
  GPU_WORKER_FAIL_AT: env.num(undefined, 0, 100),
  GPU_WORKER_HEARTBEAT_MS: env.num(2000, 100, 60_000),
};

const JOIN_TOKEN = /^hnj_[A-Za-z0-9_-]{20,}$/;

/**
 * Checks HYPERNODE_JOIN_TOKEN apart from the schema: a ConfigError prints the value it had, and
 * a secret (say an API key pasted by mistake) must never reach a log, so only its prefix is shown.
 */
function joinTokenProblem(value: string | undefined) {
  if (value && JOIN_TOKEN.test(value)) return undefined;
  const shown = value ? `${value.slice(0, 4)}… (${value.length} characters, hidden)` : undefined;
  return { variable: 'HYPERNODE_JOIN_TOKEN', value: shown, expected: 'a join token hnj_… to register with the api: `npm start` provides one; otherwise ask an admin: `npx hypernode join-tokens create`' };
}

/** Reads the worker's settings (ConfigError lists every bad one); `port` names it by default so several workers differ. */
export function loadWorkerConfig(source: NodeJS.ProcessEnv, port: number): WorkerConfig {
  const token = source.HYPERNODE_JOIN_TOKEN || undefined;
  const tokenProblem = joinTokenProblem(token);
  let vars;
  try {
    vars = parseEnv('gpu-worker', WORKER_ENV, source);
  } catch (error) {
    if (error instanceof ConfigError && tokenProblem) throw new ConfigError('gpu-worker', [tokenProblem, ...error.problems]);
    throw error;
  }
  if (tokenProblem) throw new ConfigError('gpu-worker', [tokenProblem]);
  return {
    apiUrl: vars.API_URL ?? urlFor('api', { env: source }),
    advertiseUrl: vars.GPU_WORKER_ADVERTISE_URL ?? `http://${urlHost(hostFor('gpu-worker', { env: source }))}:${port}`,
    joinToken: token!,
    name: vars.GPU_WORKER_NAME ?? `gpu-worker-${port}`,
    gpuModel: vars.GPU_WORKER_GPU_MODEL,
    vramGb: vars.GPU_WORKER_VRAM_GB,
    jobMs: vars.GPU_WORKER_JOB_MS,
    failAtPercent: vars.GPU_WORKER_FAIL_AT,
    heartbeatMs: vars.GPU_WORKER_HEARTBEAT_MS,
  };
}

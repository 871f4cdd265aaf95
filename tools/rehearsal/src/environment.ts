import { hostEnvVar, listServices, portEnvVar } from '@hypernode/ports';
import type { AppName } from './apps.js';
import type { ComposeEnv } from './compose-env.js';

/** Everything the rehearsal's apps share. */
export interface RehearsalSetup {
  /** Spare port per app. */
  ports: Record<AppName, number>;
  /** The reverse proxy's port (both rounds use it, so the frontends' public URLs hold). */
  proxyPort: number;
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  /** compose's HYPERNODE_JOIN_TOKEN: the api stores it, the worker registers with it. */
  joinToken: string;
  jobMs: number;
}

// Variables of the developer's shell that would steer an app away from the rehearsal's set-up.
const FOREIGN = /^(HYPERNODE_|DATABASE_URL$|REDIS_URL$|PORT$|VITE_|NEXT_PUBLIC_|API_URL$|NODE_ENV$)|_(PORT|HOST)$/;

/** Browser-facing origins through the proxy: the site on the main host, llm-deployer on its own host name. */
export function publicOrigins(proxyPort: number): { site: string; deployer: string } {
  return { site: `http://localhost:${proxyPort}`, deployer: `http://llm-deployer.localhost:${proxyPort}` };
}

/**
 * One app's environment: what `docker-compose config` gives its service, with the compose
 * host names mapped to 127.0.0.1 (`<NAME>_HOST`), spare ports (`<NAME>_PORT`), the rehearsal's
 * own database and Redis prefix, and the public URLs through the proxy.
 */
export function appEnvironment(name: AppName, compose: ComposeEnv, setup: RehearsalSetup): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !FOREIGN.test(k)));
  const fromCompose = compose[name];
  if (!fromCompose) throw new Error(`docker-compose.yml has no service "${name}": run \`npx nx sync\``);
  const env: NodeJS.ProcessEnv = { ...base, ...fromCompose, HYPERNODE_PROFILE: 'production', HYPERNODE_HOST: '127.0.0.1', NODE_ENV: 'production' };
  for (const service of listServices({ env: {} })) env[hostEnvVar(service.name)] = '127.0.0.1';
  for (const [app, port] of Object.entries(setup.ports)) env[portEnvVar(app)] = String(port);
  if ('DATABASE_URL' in fromCompose) env.DATABASE_URL = setup.databaseUrl;
  if ('REDIS_URL' in fromCompose) {
    env.REDIS_URL = setup.redisUrl;
    env.HYPERNODE_REDIS_PREFIX = setup.redisPrefix;
  }
  // compose names the worker's host (gpu-worker); here that host is 127.0.0.1.
  if ('HYPERNODE_WORKER_HOSTS' in fromCompose) env.HYPERNODE_WORKER_HOSTS = '127.0.0.1';
  const origins = publicOrigins(setup.proxyPort);
  env.HYPERNODE_CORS_ORIGINS = `${origins.site},${origins.deployer}`;
  if (name === 'gpu-worker') env.GPU_WORKER_JOB_MS = String(setup.jobMs);
  // Each frontend calls the backends through its own host's routes (same origin). Both frontends
  // read both namings (VITE_ first), and compose fills all four, so all four are set.
  const own = name === 'site' ? origins.site : name === 'llm-deployer' ? origins.deployer : undefined;
  if (own) {
    env.VITE_BACKEND_API_URL = env.NEXT_PUBLIC_API_URL = `${own}/api`;
    env.VITE_BACKEND_WS_URL = env.NEXT_PUBLIC_WS_URL = `${own.replace('http', 'ws')}/ws/`;
  }
  return env;
}

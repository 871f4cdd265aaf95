import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { workerUrlAllowed } from '@hypernode/auth';
import { bindHostFor, isAppKind, listServices, portFor, publicUrlFor, urlFor, type ResolvedService } from '@hypernode/ports';
import { ConfigError } from '@hypernode/service-kit';
// The contract is between compose's environment and each app's real config loader, so this test
// loads them in-process (a tool importing apps: only here, and only their config modules).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { loadConfig as loadApiConfig } from '@hypernode/api/src/config.js';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { loadAutomationConfig } from '@hypernode/automation/src/config.js';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { loadWorkerConfig } from '@hypernode/gpu-worker/src/config.js';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { loadRealtimeConfig } from '@hypernode/realtime/src/config.js';

const ROOT = resolve(__dirname, '../../..');

interface ComposeService {
  ports?: Array<string | { published: number | string; target: number; host_ip?: string }>;
  command?: string[];
  environment?: Record<string, string | number | boolean | null>;
  healthcheck?: { interval?: string; test?: string[] };
  depends_on?: Record<string, { condition: string }> | string[];
  profiles?: string[];
}

type Env = Record<string, string>;

/** Values only this test uses, so finding one in the output proves where it came from. */
const SECRETS = { HYPERNODE_DB_PASSWORD: 'db-5e1f0a', HYPERNODE_REDIS_PASSWORD: 'redis-9c2b7d', HYPERNODE_JOIN_TOKEN: `hnj_${'c0mp0se-c0ntract-'.padEnd(43, 'x')}` };

/** The host's environment for compose: no variable the compose file reads may leak in from the runner's shell. */
function hostEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) env[key] = value;
  return env;
}

/** The compose file as Debian's docker-compose parses it (no engine needed for `config`). */
function composeConfig(env: Record<string, string> = SECRETS): Record<string, ComposeService> {
  const text = execFileSync('docker-compose', ['-f', 'docker-compose.yml', '--profile', 'solana', 'config'], { cwd: ROOT, encoding: 'utf8', env: hostEnv(env) });
  return (parse(text) as { services: Record<string, ComposeService> }).services;
}

/** Exactly the environment compose hands a container, as the strings the process sees. */
function containerEnv(service: ComposeService): Env {
  return Object.fromEntries(Object.entries(service.environment ?? {}).map(([key, value]) => [key, value === null ? '' : String(value)]));
}

/**
 * Each Node backend's config, loaded the way its main.ts does (port as service-kit resolves it
 * when the app runs alone), from `env` only — never process.env. Throws its ConfigError.
 */
const LOADERS: Record<string, (env: Env) => object> = {
  api: (env) => loadApiConfig(env),
  realtime: (env) => loadRealtimeConfig(env),
  automation: (env) => loadAutomationConfig(env),
  'gpu-worker': (env) => loadWorkerConfig(env, portFor('gpu-worker', { env, alone: true })),
};

/** Config fields that hold URLs a BROWSER uses (frontend origins), not peers. */
const BROWSER_FIELDS = new Set(['corsOrigins', 'allowedOrigins']);
/** Config fields that hold the app's OWN address as its peers reach it. */
const SELF_FIELDS = new Set(['advertiseUrl']);

/** Every URL-shaped string in a config object, with its path (`apiUrl`, `corsOrigins[0]`). */
function urlsIn(value: unknown, path = ''): Array<{ path: string; field: string; url: URL }> {
  if (typeof value === 'string') {
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return [];
    return [{ path, field: path.replace(/\[\d+\]$/, '').split('.').pop()!, url: new URL(value) }];
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => urlsIn(item, `${path}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([key, item]) => urlsIn(item, path ? `${path}.${key}` : key));
  return [];
}

const dependsOn = (s: ComposeService) => (Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {})).sort();

/**
 * What is wrong with one app's resolved config inside compose: every peer URL must name a compose
 * service that exists, on its registry port, that the app waits for (depends_on); browser
 * origins stay on localhost; the app's own URL names its own service.
 */
function peerProblems(app: string, config: object, services: Record<string, ComposeService>, registry: ResolvedService[]): { problems: string[]; peers: string[] } {
  const problems: string[] = [];
  const peers = new Set<string>();
  const registryPort = (name: string) => registry.find((s) => s.name === name)?.registryPort;
  for (const { path, field, url } of urlsIn(config)) {
    const port = Number(url.port);
    if (BROWSER_FIELDS.has(field)) {
      if (url.hostname !== 'localhost' && url.hostname !== '127.0.0.1') problems.push(`${app}.${path} = ${url.href}: a browser origin must stay on localhost`);
      continue;
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const expectedHost = SELF_FIELDS.has(field) ? app : host;
    if (!(host in services) || host !== expectedHost) {
      problems.push(`${app}.${path} = ${url.href}: "${host}" is not ${SELF_FIELDS.has(field) ? `its own compose service "${app}"` : 'a compose service'} (inside a container, localhost is the container itself)`);
      continue;
    }
    if (port !== registryPort(host)) problems.push(`${app}.${path} = ${url.href}: port ${port} is not ${host}'s registry port ${registryPort(host)}`);
    if (!SELF_FIELDS.has(field)) peers.add(host);
  }
  return { problems, peers: [...peers].sort() };
}

const published = (s: ComposeService) => (s.ports ?? []).map((p) => (typeof p === 'string' ? p.replace(/\/tcp$/, '') : `${p.host_ip ? `${p.host_ip}:` : ''}${p.published}:${p.target}`));
const seconds = (interval: string | undefined) => Number(/^(\d+(?:\.\d+)?)s$/.exec(interval ?? '')?.[1] ?? NaN);

describe('docker-compose.yml (checked by a real compose parser)', () => {
  const services = composeConfig();
  const registry = listServices({ env: {} });
  const apps = registry.filter((s) => isAppKind(s.kind));
  const backends = apps.filter((s) => s.kind !== 'frontend');
  const frontends = apps.filter((s) => s.kind === 'frontend');

  it('has every registry service; apps on their registry port, Solana on loopback only, PostgreSQL and Redis not published at all', () => {
    // Stack tools (the `hypernode up` supervisor) run beside a local stack only: compose has none.
    expect(Object.keys(services).sort()).toEqual(registry.filter((s) => s.kind !== 'tool').map((s) => s.name).sort());
    for (const s of apps) expect(published(services[s.name]!), s.name).toEqual([`${s.port}:${s.port}`]);
    const solana = registry.find((s) => s.name === 'solana')!;
    expect(published(services.solana!)).toEqual([`127.0.0.1:${solana.port}:${solana.port}`]);
    expect(services.postgres!.ports).toBeUndefined();
    expect(services.redis!.ports).toBeUndefined();
  });

  it('checks health every 2 s or faster on each app\'s registry health path (/health, / for frontends); every wait is on a healthy peer', () => {
    for (const [name, s] of Object.entries(services)) expect(seconds(s.healthcheck?.interval), name).toBeLessThanOrEqual(2);
    for (const app of apps) {
      const path = app.health.type === 'http' ? app.health.path : '/';
      expect(services[app.name]!.healthcheck!.test!.join(' '), app.name).toContain(`http://127.0.0.1:${app.port}${path}'`);
      const deps = services[app.name]!.depends_on as Record<string, { condition: string }>;
      expect(Object.keys(deps).length, app.name).toBeGreaterThan(0);
      for (const [peer, { condition }] of Object.entries(deps)) {
        expect(condition, `${app.name} → ${peer}`).toBe('service_healthy');
        expect(services[peer]?.healthcheck, `${app.name} waits for ${peer}, which needs a healthcheck`).toBeDefined();
      }
    }
  });

  it('keeps the Solana validator behind an optional profile', () => {
    expect(services.solana!.profiles).toEqual(['solana']);
  });

  it('runs every app with the production profile, peers by compose service name, bound to every interface', () => {
    for (const app of apps) {
      const env = containerEnv(services[app.name]!);
      expect(env.HYPERNODE_PROFILE, app.name).toBe('production');
      expect(env.HYPERNODE_NETWORK, app.name).toBe('compose');
      // Production binds 127.0.0.1 by default: in a container nobody else could connect.
      expect(['0.0.0.0', '::'], app.name).toContain(bindHostFor({ env }));
      // What service-kit listens on: the registry port (compose publishes it as such).
      expect(portFor(app.name as never, { env, alone: true }), app.name).toBe(app.registryPort);
    }
  });

  describe.each(['api', 'realtime', 'automation', 'gpu-worker'])('%s, loaded with exactly the environment compose gives it', (name) => {
    const env = containerEnv(services[name]!);

    it('starts: its config loader accepts that environment (no ConfigError)', () => {
      expect(() => LOADERS[name]!(env)).not.toThrow();
    });

    it('reaches every peer by a compose service name on its registry port, and waits for exactly those peers', () => {
      const { problems, peers } = peerProblems(name, LOADERS[name]!(env), services, registry);
      expect(problems).toEqual([]);
      expect(peers.length, 'a backend with no peer URL in its config: is the loader still read?').toBeGreaterThan(0);
      // Nothing it does not use (a DATABASE_URL it ignores), nothing it uses unwaited.
      expect(dependsOn(services[name]!)).toEqual(peers);
    });
  });

  it('a backend is covered by this contract, or this test says which loader to add', () => {
    expect(backends.map((s) => s.name).filter((name) => !LOADERS[name])).toEqual([]);
  });

  it('gpu-worker registers with http://api:<port> and advertises http://gpu-worker:<port>, a URL the api and the engine accept', () => {
    const env = containerEnv(services['gpu-worker']!);
    const config = loadWorkerConfig(env, portFor('gpu-worker', { env, alone: true }));
    const api = registry.find((s) => s.name === 'api')!;
    const worker = registry.find((s) => s.name === 'gpu-worker')!;
    expect(config.apiUrl).toBe(`http://api:${api.registryPort}`);
    expect(config.advertiseUrl).toBe(`http://gpu-worker:${worker.registryPort}`);
    // The same host rule the api applies at registration and the engine before each dispatch.
    const apiConfig = loadApiConfig(containerEnv(services.api!));
    const engineConfig = loadAutomationConfig(containerEnv(services.automation!));
    expect(workerUrlAllowed(config.advertiseUrl, { profile: apiConfig.profile, allowed: apiConfig.workerHosts })).toBe(true);
    expect(workerUrlAllowed(config.advertiseUrl, { profile: engineConfig.profile, allowed: engineConfig.workerHosts })).toBe(true);
    // …which would refuse the localhost URL the worker advertised before the network switch.
    expect(workerUrlAllowed(`http://localhost:${worker.registryPort}`, { profile: apiConfig.profile, allowed: apiConfig.workerHosts })).toBe(false);
  });

  it("today's failure modes are caught: a gpu-worker without the network switch calls its own localhost; without a join token it does not start", () => {
    const env = containerEnv(services['gpu-worker']!);
    const { HYPERNODE_NETWORK: _network, ...withoutNetwork } = env;
    const { problems } = peerProblems('gpu-worker', LOADERS['gpu-worker']!(withoutNetwork), services, registry);
    expect(problems).toEqual([
      expect.stringMatching(/^gpu-worker\.apiUrl = http:\/\/localhost:\d+\/: "localhost" is not a compose service/),
      expect.stringMatching(/^gpu-worker\.advertiseUrl = http:\/\/localhost:\d+\/: "localhost" is not its own compose service "gpu-worker"/),
    ]);
    const { HYPERNODE_JOIN_TOKEN: _token, ...withoutToken } = env;
    expect(() => LOADERS['gpu-worker']!(withoutToken)).toThrow(ConfigError);
    expect(() => LOADERS['gpu-worker']!(withoutToken)).toThrow(/HYPERNODE_JOIN_TOKEN=\(unset\) is not valid/);
  });

  it("automation's health sweep probes every service by its compose name on its registry port", () => {
    const targets = listServices({ env: containerEnv(services.automation!) });
    for (const target of targets.filter((t) => t.kind !== 'tool')) {
      expect(target.name in services, target.name).toBe(true);
      expect(new URL(target.url), target.name).toMatchObject({ hostname: target.name, port: String(target.registryPort) });
    }
  });

  it('frontends get no database or Redis URL and no secret; their browser URLs are the published localhost ports (what the frontend computes itself)', () => {
    for (const app of frontends) {
      const env = containerEnv(services[app.name]!);
      for (const key of ['DATABASE_URL', 'REDIS_URL', ...Object.keys(SECRETS)]) expect(Object.keys(env), app.name).not.toContain(key);
      expect(Object.values(env).join(' '), app.name).not.toMatch(new RegExp(Object.values(SECRETS).join('|')));
      const browser = Object.entries(env).filter(([key]) => /^(VITE_BACKEND|NEXT_PUBLIC)_/.test(key));
      expect(browser.map(([key]) => key).sort(), app.name).toEqual(['NEXT_PUBLIC_API_URL', 'NEXT_PUBLIC_WS_URL', 'VITE_BACKEND_API_URL', 'VITE_BACKEND_WS_URL']);
      for (const [key, value] of browser) {
        const peer = /WS_URL$/.test(key) ? 'realtime' : 'api';
        expect(value, `${app.name} ${key}`).toBe(publicUrlFor(peer, { env: {} }));
      }
      // The server side of a frontend (Next's server rendering) reaches the api by its compose name.
      expect(urlFor('api', { env }), app.name).toBe(`http://api:${portFor('api', { env: {} })}`);
    }
  });

  it('lets the host point the browser at a proxy: an exported VITE_/NEXT_PUBLIC_ URL wins', () => {
    const proxied = composeConfig({ ...SECRETS, VITE_BACKEND_API_URL: 'https://hypernode.example/api' });
    expect(containerEnv(proxied.site!).VITE_BACKEND_API_URL).toBe('https://hypernode.example/api');
  });

  it.each(Object.keys(SECRETS))('refuses to start without %s (no default), naming it', (name) => {
    for (const value of [undefined, '']) {
      const result = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], { cwd: ROOT, encoding: 'utf8', env: hostEnv({ ...SECRETS, [name]: value }) });
      expect(result.status, `${name}=${JSON.stringify(value)}`).not.toBe(0);
      expect(result.stderr).toContain(`set ${name}`);
    }
  });

  it('takes every password from the environment: PostgreSQL, Redis --requirepass and its healthcheck, each URL that needs one', () => {
    const pg = registry.find((s) => s.name === 'postgres')!;
    const redis = registry.find((s) => s.name === 'redis')!;
    expect(services.postgres!.environment!.POSTGRES_PASSWORD).toBe(SECRETS.HYPERNODE_DB_PASSWORD);
    const redisCommand = services.redis!.command!;
    expect(redisCommand[redisCommand.indexOf('--requirepass') + 1]).toBe(SECRETS.HYPERNODE_REDIS_PASSWORD);
    expect(services.redis!.environment!.REDISCLI_AUTH).toBe(SECRETS.HYPERNODE_REDIS_PASSWORD);
    // redis-cli exits 0 on NOAUTH: the check must look for PONG, with the password from REDISCLI_AUTH.
    expect(services.redis!.healthcheck!.test!.join(' ')).toMatch(/redis-cli .*ping.*PONG/);
    for (const app of backends) {
      const env = containerEnv(services[app.name]!);
      const deps = dependsOn(services[app.name]!);
      if (deps.includes('postgres')) expect(env.DATABASE_URL, app.name).toBe(`postgresql://hypernode:${SECRETS.HYPERNODE_DB_PASSWORD}@postgres:${pg.port}/hypernode`);
      else expect(env.DATABASE_URL, app.name).toBeUndefined();
      if (deps.includes('redis')) expect(env.REDIS_URL, app.name).toBe(`redis://:${SECRETS.HYPERNODE_REDIS_PASSWORD}@redis:${redis.port}`);
      else expect(env.REDIS_URL, app.name).toBeUndefined();
      expect(env.HYPERNODE_WORKER_TOKEN, app.name).toBeUndefined();
      // Only workers (which register with it) and the api (which stores it at start) hold the join token.
      if (app.kind === 'worker' || app.name === 'api') expect(env.HYPERNODE_JOIN_TOKEN, app.name).toBe(SECRETS.HYPERNODE_JOIN_TOKEN);
      else expect(env.HYPERNODE_JOIN_TOKEN, app.name).toBeUndefined();
    }
    // The api (registration) and the engine (dispatch) reach workers only on the workers' compose host names.
    for (const name of ['api', 'automation']) expect(containerEnv(services[name]!).HYPERNODE_WORKER_HOSTS?.split(','), name).toEqual(apps.filter((a) => a.kind === 'worker').map((a) => a.name));
  });

  it('holds no password of its own: every secret reference is ${VAR:?…}, never a default', () => {
    const raw = readFileSync(resolve(ROOT, 'docker-compose.yml'), 'utf8');
    const refs = [...raw.matchAll(/\$\{([A-Z_]+)(:?[-?+])?/g)].filter((m) => /PASSWORD|TOKEN|SECRET/.test(m[1]!));
    expect(refs.length).toBeGreaterThanOrEqual(3);
    for (const m of refs) expect(m[0], m[1]).toBe(`\${${m[1]}:?`);
    expect(raw).not.toMatch(/PASSWORD: (?!\$\{)/);
  });
});

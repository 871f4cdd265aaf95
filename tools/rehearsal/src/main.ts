import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import pg from 'pg';
import { listServices, portEnvVar, workspaceRoot } from '@hypernode/ports';
import { newSecret } from '@hypernode/auth';
import { createSignInToken } from '@hypernode/store';
import { createTestDatabase, freePort, testRedisPrefix } from '@hypernode/testing';
import { APPS, buildCommand, describeStop, startApp, stoppedCleanly, type AppName, type RunningApp } from './apps.js';
import { browserRound } from './browser.js';
import { composeEnvironment } from './compose-env.js';
import { appEnvironment, publicOrigins, type RehearsalSetup } from './environment.js';
import { PROXIES, startProxy, type ProxyKind } from './proxy.js';

function parseProxies(value: string): ProxyKind[] {
  const list = value.split(',').map((v) => v.trim());
  const bad = list.filter((v) => !(PROXIES as readonly string[]).includes(v));
  if (bad.length > 0 || list.length === 0) throw new InvalidArgumentError(`"${value}" is not valid: give ${PROXIES.join(', ')} or both, comma-separated (e.g. --proxies nginx)`);
  return list as ProxyKind[];
}

function parseMs(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 100 || n > 60_000) throw new InvalidArgumentError(`"${value}" is not valid: give whole milliseconds from 100 to 60000`);
  return n;
}

const program = new Command('rehearse')
  .description(
    'Production rehearsal: build every app, start each from its BUILD output with HYPERNODE_PROFILE=production and the environment docker-compose gives it (compose hosts mapped to 127.0.0.1, spare ports, a throw-away database and Redis prefix), put real nginx and then Caddy in front, and drive chromium through the proxy: sign in, create a deployment in llm-deployer, watch it complete live over /ws/; then SIGTERM everything. Exit 0 only if all of it held.',
  )
  .option('--proxies <list>', 'proxies to rehearse, in order (nginx, caddy)', parseProxies, [...PROXIES])
  .option('--no-build', 'use the build outputs as they are (default: `nx run-many -t build` first; cached builds are reused)')
  .option('--job-ms <ms>', 'simulated GPU job length', parseMs, 1500)
  .showHelpAfterError();

const options = program.parse().opts<{ proxies: ProxyKind[]; build: boolean; jobMs: number }>();
const root = workspaceRoot();
const started = Date.now();
const log = (line: string) => console.log(`[rehearse] ${line}`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

if (options.build) {
  log(`building ${APPS.join(', ')} (nx run-many -t build; cached outputs are reused)`);
  const nx = spawnSync(join(root, 'node_modules/.bin/nx'), ['run-many', '-t', 'build', '--projects', APPS.join(','), '--outputStyle=static'], { cwd: root, stdio: 'inherit', env: { ...process.env, NX_TUI: 'false' } });
  if (nx.status !== 0) {
    console.log(`rehearse: FAIL — the build failed (nx exit ${nx.status})`);
    process.exit(1);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'hypernode-rehearse-'));
const db = await createTestDatabase();
const redis = testRedisPrefix();
const running: RunningApp[] = [];
const lines: string[] = [];
let failure: string | undefined;
const stop = { requested: false };
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => (stop.requested = true));

try {
  const ports = Object.fromEntries(await Promise.all(APPS.map(async (a) => [a, await freePort()] as const))) as Record<AppName, number>;
  // The join token goes in as compose's secret: the api stores it at start, the worker registers with it.
  const setup: RehearsalSetup = { ports, proxyPort: await freePort(), databaseUrl: db.url, redisUrl: 'redis://127.0.0.1:6379', redisPrefix: redis.prefix, joinToken: newSecret('hnj_'), jobMs: options.jobMs };
  const httpsPort = await freePort();
  // The passwords only go into DATABASE_URL / REDIS_URL, which point at the rehearsal's own database and prefix instead.
  const compose = composeEnvironment(root, { HYPERNODE_DB_PASSWORD: 'rehearsal', HYPERNODE_REDIS_PASSWORD: 'rehearsal', HYPERNODE_JOIN_TOKEN: setup.joinToken });
  const services = listServices({ profile: 'production', env: Object.fromEntries(APPS.map((a) => [portEnvVar(a), String(ports[a])])) });
  const healthUrl = (name: AppName) => {
    const s = services.find((x) => x.name === name)!;
    return `http://127.0.0.1:${s.port}${s.health.type === 'http' ? s.health.path : '/'}`;
  };
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  try {
    for (const name of APPS) {
      if (stop.requested) throw new Error('stopped by a signal');
      const t = Date.now();
      running.push(await startApp(name, buildCommand(root, name), appEnvironment(name, compose, setup), ports[name], healthUrl(name)));
      log(`${name} up from its build output on 127.0.0.1:${ports[name]} in ${seconds(Date.now() - t)}`);
    }
    const origins = publicOrigins(setup.proxyPort);
    for (const kind of options.proxies) {
      if (stop.requested) throw new Error('stopped by a signal');
      const t = Date.now();
      const proxy = await startProxy(kind, root, dir, services, setup.proxyPort, httpsPort, `${origins.site}/api/health`);
      try {
        const tokens: [string, string] = [await createSignInToken(pool, { scopes: ['admin'] }), await createSignInToken(pool, { scopes: ['admin'] })];
        const result = await browserRound(origins.site, origins.deployer, tokens, join(root, 'tmp', 'rehearsal'), kind);
        const line = `rehearse ${kind}: ${APPS.length} apps from build output (production profile, compose environment), ${kind} on :${setup.proxyPort}, chromium signed in to both frontends and deployment ${result.deploymentId} completed live over /ws/ in ${seconds(result.liveMs)}; round ${seconds(Date.now() - t)} — PASS`;
        lines.push(line);
      } finally {
        await proxy.stop();
      }
    }
  } finally {
    await pool.end();
  }
} catch (error) {
  failure = (error as Error).message;
} finally {
  // SIGTERM everything, the frontends first; each must exit 0 within its grace period.
  const codes = [];
  for (const app of [...running].reverse()) codes.push([app.name, await app.stop()] as const);
  const unclean = codes.filter(([, outcome]) => !stoppedCleanly(outcome));
  if (unclean.length > 0) {
    failure ??= `not every app stopped cleanly on SIGTERM: ${unclean.map(([n, o]) => `${n} ${describeStop(o)}`).join(', ')}`;
    for (const [name] of unclean) log(`${name}'s last lines:\n${running.find((a) => a.name === name)?.tail(60) ?? ''}`);
  }
  else if (running.length > 0) log(`SIGTERM: ${codes.map(([n]) => n).join(', ')} exited 0`);
  await db.drop().catch(() => undefined);
  await redis.cleanup().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}

const total = seconds(Date.now() - started);
for (const line of lines) console.log(line);
if (failure) {
  console.log(`rehearse: FAIL — ${failure} (${total})`);
  process.exitCode = 1;
} else {
  console.log(`rehearse: PASS — ${APPS.length} apps, proxies ${options.proxies.join(' then ')}, all stopped with exit 0, ${total}`);
}

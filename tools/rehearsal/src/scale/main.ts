import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command, InvalidArgumentError } from 'commander';
import pg from 'pg';
import { newSecret } from '@hypernode/auth';
import { listServices, portEnvVar, workspaceRoot } from '@hypernode/ports';
import { createApiKey } from '@hypernode/store';
import { createTestDatabase, freePort, testRedisPrefix } from '@hypernode/testing';
import { APPS, describeStop, stoppedCleanly, type AppName } from '../apps.js';
import { composeEnvironment } from '../compose-env.js';
import { appEnvironment, type RehearsalSetup } from '../environment.js';
import { startProxy, type RunningProxy } from '../proxy.js';
import { killInstance, startInstance, type FleetSetup, type Instance } from './fleet.js';
import { completedEventCounts, deploymentEventIds, maxEventId, postDeployments, waitFinal, type PostRecord } from './load.js';
import { SCALED_APPS, SIZES, TOPOLOGIES, type ScaledApp, type ScaleSize } from './topology.js';
import { clientFigures, startScaleWsClient, type ScaleWsClient } from './ws-client.js';

function parseSize(value: string): ScaleSize {
  if (!(SIZES as readonly string[]).includes(value)) throw new InvalidArgumentError(`"${value}" is not valid: give ${SIZES.join(' or ')} (e.g. --size small)`);
  return value as ScaleSize;
}

const program = new Command('rehearse:scale')
  .description(
    'Scale-out rehearsal: api, realtime, automation and gpu-worker as several processes each, from their BUILD outputs (production profile, the compose environment, spare ports, a throw-away database and Redis prefix), real nginx load-balancing across them (upstreams rendered by the deploy-artifacts generator from the same model); throughput of 1-of-each versus the scaled set, then deployments and WebSocket clients with kill -9 of one instance of each kind mid-run. Exit 0 only if every deployment completed exactly once, every client got every event (or a reset) and no 5xx came but from requests in flight at the kills.',
  )
  .option('--size <size>', `small (npm test: ${describe('small')}) or full (the issue: ${describe('full')})`, parseSize, 'full' as ScaleSize)
  .option('--no-build', 'use the build outputs as they are (default: `nx run-many -t build` for the four apps first; cached builds are reused)')
  .showHelpAfterError();

function describe(size: ScaleSize): string {
  const t = TOPOLOGIES[size];
  return `${SCALED_APPS.map((a) => `${t.instances[a]} ${a}`).join(', ')}, ${t.deployments} deployments, ${t.clients} clients`;
}

const options = program.parse().opts<{ size: ScaleSize; build: boolean }>();
const topology = TOPOLOGIES[options.size];
const root = workspaceRoot();
const started = Date.now();
const log = (line: string) => console.log(`[rehearse:scale] ${line}`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

if (options.build) {
  log(`building ${SCALED_APPS.join(', ')} (nx run-many -t build; cached outputs are reused)`);
  const nx = spawnSync(join(root, 'node_modules/.bin/nx'), ['run-many', '-t', 'build', '--projects', SCALED_APPS.join(','), '--outputStyle=static'], { cwd: root, stdio: 'inherit', env: { ...process.env, NX_TUI: 'false' } });
  if (nx.status !== 0) {
    console.log(`rehearse:scale: FAIL — the build failed (nx exit ${nx.status})`);
    process.exit(1);
  }
}

// Shorter intervals than production so a killed instance is noticed within seconds, and limits
// that would otherwise refuse one test client's many connections and requests.
const TUNING: NodeJS.ProcessEnv = {
  API_RATE_LIMIT_MAX: '10000000',
  REALTIME_MAX_CONNECTIONS_PER_PRINCIPAL: '100000',
  REALTIME_MAX_CONNECTIONS_PER_ADDRESS: '100000',
  AUTOMATION_RECONCILE_MS: '100',
  AUTOMATION_WATCHDOG_MS: '500',
  AUTOMATION_NODE_STALE_S: '2',
  GPU_WORKER_HEARTBEAT_MS: '500',
};

const dir = mkdtempSync(join(tmpdir(), 'hypernode-rehearse-scale-'));
const db = await createTestDatabase();
const redis = testRedisPrefix();
const pool = new pg.Pool({ connectionString: db.url, max: 3 });
const instances: Instance[] = [];
const killed = new Set<Instance>();
const clients: ScaleWsClient[] = [];
const lines: string[] = [];
const failed: string[] = [];
let failure: string | undefined;
let proxy: RunningProxy | undefined;

const check = (name: string, ok: boolean) => {
  if (!ok) failed.push(name);
};

try {
  const ports = Object.fromEntries(await Promise.all(APPS.map(async (a) => [a, await freePort()] as const))) as Record<AppName, number>;
  const setup: RehearsalSetup = { ports, proxyPort: await freePort(), databaseUrl: db.url, redisUrl: 'redis://127.0.0.1:6379', redisPrefix: redis.prefix, joinToken: newSecret('hnj_'), jobMs: topology.jobMs };
  const httpsPort = await freePort();
  const compose = composeEnvironment(root, { HYPERNODE_DB_PASSWORD: 'rehearsal', HYPERNODE_REDIS_PASSWORD: 'rehearsal', HYPERNODE_JOIN_TOKEN: setup.joinToken });
  const fleet: FleetSetup = { root, base: (app) => ({ ...appEnvironment(app, compose, setup), ...TUNING }), apiServicePort: await freePort() };
  const services = listServices({ profile: 'production', env: Object.fromEntries(APPS.map((a) => [portEnvVar(a), String(ports[a])])) });
  const instancePorts: Record<ScaledApp, number[]> = { api: [], realtime: [], automation: [], 'gpu-worker': [] };
  for (const app of SCALED_APPS) for (let i = 0; i < topology.instances[app]; i++) instancePorts[app].push(await freePort());
  const proxyBase = `http://127.0.0.1:${setup.proxyPort}`;
  // nginx also stands in for the api's in-cluster Service: the other apps reach the api on this
  // listener, which balances over the same generated `upstream api` the public /api/ route uses.
  const apiService = `server {\n  listen 127.0.0.1:${fleet.apiServicePort};\n  location / {\n    proxy_pass http://api;\n    proxy_http_version 1.1;\n    proxy_set_header Host $host;\n    proxy_set_header Connection "";\n  }\n}\n`;
  const startNginx = async (counts: Record<ScaledApp, number>) => {
    await proxy?.stop();
    const upstreams = Object.fromEntries((['api', 'realtime', 'automation'] as const).map((a) => [a, instancePorts[a].slice(0, counts[a])]));
    proxy = await startProxy('nginx', root, dir, services, setup.proxyPort, httpsPort, `${proxyBase}/api/health`, { instances: upstreams, nginxHttp: apiService });
  };
  const start = async (app: ScaledApp, i: number) => {
    const t = Date.now();
    const instance = await startInstance(fleet, app, i, instancePorts[app][i - 1]!);
    instances.push(instance);
    log(`${instance.label} up from its build output on 127.0.0.1:${instance.port} in ${seconds(Date.now() - t)}`);
  };

  // 1-of-each. The api first: it applies the migrations and stores the join token; nginx before
  // the others, since they reach the api through its Service listener.
  const one: Record<ScaledApp, number> = { api: 1, realtime: 1, automation: 1, 'gpu-worker': 1 };
  await start('api', 1);
  await startNginx(one);
  for (const app of ['realtime', 'automation', 'gpu-worker'] as const) await start(app, 1);
  const admin = (await createApiKey(pool, { name: 'rehearse-scale', scopes: ['admin'] })).key;
  const apiUrl = `${proxyBase}/api`;

  // Each set first runs an unmeasured warm-up batch: fresh processes (JIT, pools, the auth cache)
  // made the first scaled batch slower than the 1-of-each one in trials here.
  const timedBatch = async (name: string, size: number) => {
    const t0 = performance.now();
    const posts = await postDeployments(apiUrl, admin, size, topology.concurrency, name);
    const final = await waitFinal(pool, name, topology.drainMs);
    const bad = posts.filter((p) => p.status !== 201).length;
    if (!final.done || bad > 0 || final.counts.completed !== size) throw new Error(`throughput batch "${name}" did not complete: ${bad} POSTs not 201, statuses ${JSON.stringify(final.counts)}`);
    return (size / (final.at - t0)) * 1000;
  };
  const batch = async (tag: string) => {
    await timedBatch(`warm${tag}`, Math.ceil(topology.batch / 2));
    return timedBatch(tag, topology.batch);
  };
  const loadBefore = loadavg();
  const oneRate = await batch('one');
  log(`1-of-each: ${topology.batch} deployments at ${oneRate.toFixed(2)}/s`);

  // The scaled set.
  for (const app of SCALED_APPS) for (let i = 2; i <= topology.instances[app]; i++) await start(app, i);
  await startNginx(topology.instances);
  const scaledRate = await batch('scaled');
  const loadAfter = loadavg();
  log(`scaled set: ${topology.batch} deployments at ${scaledRate.toFixed(2)}/s`);

  // Clients through the proxy's /ws/ (nginx round-robins the upgrades over the realtime instances).
  const baseline = await maxEventId(pool);
  for (let i = 0; i < topology.clients; i++) clients.push(startScaleWsClient(`ws://127.0.0.1:${setup.proxyPort}/ws/`, admin));
  for (const until = Date.now() + 30_000; clients.some((c) => c.subscribed === 0) && Date.now() < until; ) await sleep(100);
  if (clients.some((c) => c.subscribed === 0)) throw new Error(`${clients.filter((c) => c.subscribed === 0).length} of ${clients.length} WebSocket clients were not subscribed within 30 s`);
  const realtimes = instances.filter((x) => x.app === 'realtime');
  const spread = await Promise.all(realtimes.map(async (r) => ((await (await fetch(`http://127.0.0.1:${r.port}/health`, { signal: AbortSignal.timeout(3_000) })).json()) as { clients: number }).clients));
  check('clients-on-every-realtime-instance', spread.every((n) => n > 0));

  // The main run: one instance of each kind is kill -9'd once a third of the POSTs are answered.
  const victims = SCALED_APPS.map((app) => instances.filter((x) => x.app === app).at(app === 'api' ? -1 : 0)!);
  let killStart = Infinity;
  let killEnd = Infinity;
  let killedAfter = 0;
  let kills: Promise<void> | undefined;
  const posts: PostRecord[] = await postDeployments(apiUrl, admin, topology.deployments, topology.concurrency, 'main', (done) => {
    if (kills || done < Math.floor(topology.deployments / 3)) return;
    killedAfter = done;
    killStart = performance.now();
    for (const v of victims) killed.add(v);
    kills = Promise.all(victims.map(killInstance)).then(() => {
      killEnd = performance.now();
    });
  });
  await kills;
  log(`killed -9 ${victims.map((v) => v.label).join(', ')} after ${killedAfter} POSTs`);
  const final = await waitFinal(pool, 'main', topology.drainMs);
  const events = await completedEventCounts(pool, 'main');
  const expected = await deploymentEventIds(pool, baseline);
  const lastId = expected.at(-1);
  for (const until = Date.now() + 30_000; lastId && clients.some((c) => c.lastEventId === undefined || BigInt(c.lastEventId) < BigInt(lastId)) && Date.now() < until; ) await sleep(100);
  await sleep(500);
  const figures = clientFigures(clients, expected);

  const acked = posts.filter((p) => p.status === 201);
  const inFlight = (p: PostRecord) => p.start <= killEnd && p.end >= killStart;
  const failedPosts = posts.filter((p) => p.status !== 201);
  const excused = failedPosts.filter((p) => (p.status >= 500 || p.status === 0) && inFlight(p));
  const { rows: ackedFound } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM deployments WHERE id = ANY($1::uuid[])', [acked.map((p) => p.id)]);
  check('every-deployment-final', final.done);
  check('every-deployment-completed', (final.counts.completed ?? 0) === events.rows);
  check('completed-exactly-once', events.once === events.rows);
  check('every-acknowledged-deployment-stored', ackedFound[0]!.n === acked.length);
  check('no-failure-but-in-flight-at-the-kills', failedPosts.length === excused.length);
  check('every-client-every-event', figures.lost === 0);
  check('no-duplicate-event', figures.duplicated === 0);
  check('clients-reconnected-through-the-proxy', figures.reconnected > 0);

  const counts = SCALED_APPS.map((a) => `${a}×${topology.instances[a]}`).join(' ');
  lines.push(`rehearse:scale ${options.size}: ${counts} from build output behind nginx (upstreams from the deploy model); ${topology.deployments} deployments, ${topology.clients} WebSocket clients (${spread.map((n, i) => `${realtimes[i]!.label} ${n}`).join(', ')}); kill -9 ${victims.map((v) => v.label).join(', ')} after ${killedAfter} POSTs`);
  lines.push(
    `deployments: ${events.rows} stored (${acked.length} acknowledged, ${failedPosts.length} not: ${excused.length} in flight at the kills), statuses ${JSON.stringify(final.counts)}, completed event exactly once ${events.once}, more than once ${events.more}, never ${events.none}; drained ${seconds(final.at - killStart)} after the kills`,
  );
  lines.push(`clients: ${topology.clients}, ${expected.length} events owed each, lost ${figures.lost} (${figures.clientsWithLoss} clients), duplicated ${figures.duplicated}, resets ${figures.resets}, reconnected through the proxy ${figures.reconnected}`);
  const fmt = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  lines.push(
    `throughput: 1-of-each ${oneRate.toFixed(2)} deployments/s, scaled set ${scaledRate.toFixed(2)}/s (${topology.batch} each, ${topology.jobMs} ms jobs) — scale factor ${(scaledRate / oneRate).toFixed(2)}; load average ${fmt(loadBefore)} → ${fmt(loadAfter)} on ${availableParallelism()} shared cores: every process competes for the same cores, so this factor says little about a cluster (GPU jobs are simulated waits, which scale with worker count alone)`,
  );
} catch (error) {
  failure = (error as Error).message;
} finally {
  for (const c of clients) c.stop();
  const survivors = instances.filter((x) => !killed.has(x));
  const codes = await Promise.all([...survivors].reverse().map(async (x) => [x.label, await x.run.stop()] as const));
  const unclean = codes.filter(([, outcome]) => !stoppedCleanly(outcome));
  if (unclean.length > 0) {
    failed.push(`clean-sigterm (${unclean.map(([n, o]) => `${n} ${describeStop(o)}`).join(', ')})`);
    // What each one printed last says which shutdown step it was in.
    for (const [name] of unclean) log(`${name}'s last lines:\n${survivors.find((x) => x.label === name)?.run.tail(60) ?? ''}`);
  }
  else if (survivors.length > 0) log(`SIGTERM: ${survivors.length} surviving instances exited 0`);
  await (proxy as RunningProxy | undefined)?.stop();
  await pool.end().catch(() => undefined);
  await db.drop().catch(() => undefined);
  await redis.cleanup().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}

const total = seconds(Date.now() - started);
for (const line of lines) console.log(line);
if (failure || failed.length > 0) {
  console.log(`rehearse:scale: FAIL — ${failure ?? `failed: ${failed.join(', ')}`} (${total})`);
  process.exitCode = 1;
} else {
  console.log(`rehearse:scale: PASS — ${options.size}: every deployment completed exactly once, every client got every event, no 5xx but in flight at the kills, ${total}`);
}

// Diagnosis, not a figure: the api's own CPU per request on one path beside the bare Fastify (+ pg)
// baseline's, each under the same load in turn (50 connections, 2 s warm-up, 8 s measured).
//   node --import tsx bench/api-cpu.ts                     # GET /deployments?limit=20
//   BENCH_API_PATH=/health node --import tsx bench/api-cpu.ts
// With BENCH_SERVICE_NODE_OPTIONS="--require $PWD/bench/preloads/cpu-profile.cjs" both servers run
// under it (the api through the bench stack, the baseline here), so their profiles can be
// compared per request: this is how the list route's timestamp formatting was found.
import { freePort } from '@hypernode/testing';
import { createDeployment } from '@hypernode/store';
import { load } from './src/lib/http-load.js';
import { bundleBaseline } from './src/lib/builds.js';
import { startNode, WORKSPACE, type NodeProcess } from './src/lib/processes.js';
import { startStack } from './src/lib/stack.js';

const path = process.env.BENCH_API_PATH ?? '/deployments?limit=20';
if (!path.startsWith('/')) throw new Error(`BENCH_API_PATH ${JSON.stringify(path)} is not a path: give one starting with /, e.g. /health`);
const logDir = `${WORKSPACE}/tmp/bench/api-cpu`;
const log = (line: string) => console.log(`   ${line}`);
const stack = await startStack({ apps: [], logDir, log, env: { HYPERNODE_PROFILE: 'production' } });
let bare: NodeProcess | undefined;
try {
  for (let i = 0; i < 200; i++) await createDeployment(stack.pool, { model: `bench-${i}`, minVramGb: 1 });
  const port = await freePort();
  const profile = process.env.BENCH_SERVICE_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_SERVICE_NODE_OPTIONS } : {};
  bare = await startNode({ name: 'bare-fastify', cwd: WORKSPACE, entry: await bundleBaseline('bare-fastify'), tsx: false, env: { BASELINE_PORT: String(port), DATABASE_URL: stack.db.url, ...profile }, url: `http://127.0.0.1:${port}`, logDir });
  const api = stack.services.get('api')!;
  const servers = [
    { name: 'api', server: api, url: `${stack.apiUrl}${path}`, headers: { authorization: `Bearer ${stack.adminKey}` } as Record<string, string> },
    { name: 'bare Fastify', server: bare, url: `${bare.url}${path}`, headers: {} as Record<string, string> },
  ];
  const perRequest: number[] = [];
  for (const { name, url, headers } of servers) {
    // What each answer puts on the wire (the socket write is a large part of a request's CPU).
    const response = await fetch(url, { headers, signal: AbortSignal.timeout(5_000) });
    const body = await response.text();
    const head = [...response.headers].map(([k, v]) => `${k}: ${v}`);
    console.log(`${name}: ${response.status}, ${head.length} headers (${head.join('\r\n').length} bytes), body ${body.length} bytes`);
  }
  for (const { name, server, url, headers } of servers) {
    const warm = await load(`${name} warm-up`, { url, connections: 50, seconds: 2, headers });
    const before = server.cpuSeconds();
    const result = await load(name, { url, connections: 50, seconds: 8, headers });
    perRequest.push(((server.cpuSeconds() - before) * 1e6) / result.requests);
    // The request count of the server's whole life (for a profile of it): warm-up, measured, and the one above.
    console.log(`${name} GET ${path}: ${Math.round(result.rps)} req/s, server CPU ${perRequest.at(-1)!.toFixed(0)} µs per request (${warm.requests + result.requests + 1} requests in all), RSS after ${server.rssMb().toFixed(0)} MB`);
  }
  console.log(`baseline ÷ ours, CPU per request: ${(perRequest[1]! / perRequest[0]!).toFixed(2)}`);
} finally {
  await bare?.stop();
  await stack.close();
}

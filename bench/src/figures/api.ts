import { freePort } from '@hypernode/testing';
import { createDeployment } from '@hypernode/store';
import type { Bench, Measured } from '../lib/figure.js';
import { load } from '../lib/http-load.js';
import { bundleBaseline } from '../lib/builds.js';
import { startNode, WORKSPACE, type NodeProcess } from '../lib/processes.js';
import { alternate, median } from '../lib/stats.js';
import { startStack } from '../lib/stack.js';

/** Server CPU per request (median µs of the rounds), ours beside the baseline's: the same comparison without the load generator's share of the CPU. */
function cpuNote(cpu: { ours: number[]; baseline: number[] }): string {
  const [ours, baseline] = [median(cpu.ours), median(cpu.baseline)];
  return `server CPU per request ${ours.toFixed(1)} µs vs ${baseline.toFixed(1)} µs (baseline ÷ ours ${(baseline / ours).toFixed(2)})`;
}

/**
 * The api under HTTP load, production profile (security headers, CORS, auth, rate limit and the
 * request log all on), beside a bare Fastify in the same run, alternating A B A B:
 * `GET /health` vs bare Fastify's, and `GET /deployments?limit=20` (admin key; 200 rows) vs a
 * bare Fastify + pg running the same query. Also prints the api's RSS under that load.
 */
export const apiBench: Bench = {
  name: 'api',
  description: 'api GET /health and GET /deployments?limit=20 req/s vs bare Fastify (+ pg)',
  async run({ smoke, rounds, logDir, log }) {
    const seconds = smoke ? 1 : 5;
    const connections = smoke ? 5 : 50;
    const stack = await startStack({ apps: [], logDir, log, env: { HYPERNODE_PROFILE: 'production' } });
    let bare: NodeProcess | undefined;
    try {
      for (let i = 0; i < (smoke ? 25 : 200); i++) await createDeployment(stack.pool, { model: `bench-${i}`, minVramGb: 1 });
      const port = await freePort();
      bare = await startNode({ name: 'bare-fastify', cwd: WORKSPACE, entry: await bundleBaseline('bare-fastify'), tsx: false, env: { BASELINE_PORT: String(port), DATABASE_URL: stack.db.url }, url: `http://127.0.0.1:${port}`, logDir });
      const auth = { authorization: `Bearer ${stack.adminKey}` };
      const api = stack.services.get('api')!;
      const warm = async (url: string, headers?: Record<string, string>) => load('api warm-up', { url, connections, seconds: 1, headers });
      await warm(`${stack.apiUrl}/health`);
      await warm(`${bare.url}/health`);
      log(`api: GET /health, ${rounds} rounds × ${seconds} s × ${connections} connections`);
      // Each server's own CPU per request beside req/s: it does not depend on how much of the two
      // cores the load generator, PostgreSQL and Redis took from it in that round.
      const cpu = { health: { ours: [] as number[], baseline: [] as number[] }, list: { ours: [] as number[], baseline: [] as number[] } };
      const measured = async (server: NodeProcess, into: number[], ...args: Parameters<typeof load>) => {
        const before = server.cpuSeconds();
        const result = await load(...args);
        into.push(((server.cpuSeconds() - before) * 1e6) / result.requests);
        return result.rps;
      };
      const health = await alternate(rounds, {
        ours: () => measured(api, cpu.health.ours, 'api GET /health', { url: `${stack.apiUrl}/health`, connections, seconds }),
        baseline: () => measured(bare!, cpu.health.baseline, 'bare Fastify GET /health', { url: `${bare!.url}/health`, connections, seconds }),
      });
      await warm(`${stack.apiUrl}/deployments?limit=20`, auth);
      await warm(`${bare.url}/deployments?limit=20`);
      log(`api: GET /deployments?limit=20, ${rounds} rounds`);
      let rssPeak = 0;
      const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, api.rssMb())), 200);
      const list = await alternate(rounds, {
        ours: () => measured(api, cpu.list.ours, 'api GET /deployments?limit=20', { url: `${stack.apiUrl}/deployments?limit=20`, connections, seconds, headers: auth }),
        baseline: () => measured(bare!, cpu.list.baseline, 'bare Fastify+pg GET /deployments?limit=20', { url: `${bare!.url}/deployments?limit=20`, connections, seconds }),
      });
      clearInterval(sampler);
      const figures: Measured[] = [
        { name: 'api GET /health', unit: 'req/s', ours: health.ours, baseline: { name: 'bare Fastify', ...health.baseline }, target: { on: 'ratio', op: '>=', value: 0.8 }, note: cpuNote(cpu.health) },
        { name: 'api GET /deployments?limit=20', unit: 'req/s', ours: list.ours, baseline: { name: 'bare Fastify + pg', ...list.baseline }, target: { on: 'ratio', op: '>=', value: 0.8 }, note: `${cpuNote(cpu.list)}; the api also resolves the API key (in PostgreSQL once per API_KEY_CACHE_MS) and counts the rate limit in Redis (one round trip per run of numbers it reserves, not per request), and logs one line per request` },
        { name: 'api RSS under load', unit: 'MB', ours: { samples: [rssPeak], median: rssPeak }, baseline: { name: 'bare Fastify + pg', samples: [bare.rssMb()], median: bare.rssMb() }, target: { on: 'ours', op: '<=', value: 150 }, note: 'peak RSS sampled every 200 ms during the GET /deployments rounds; both run as bundles on bare node (dist/apps/api/main.js with the flags of the image: heap capped from the registry memory limit, as production runs it; the baseline, default flags, shows what Fastify + pg alone hold)' },
      ];
      return figures;
    } finally {
      await bare?.stop();
      await stack.close();
    }
  },
};

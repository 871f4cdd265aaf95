import { freePort } from '@hypernode/testing';
import type { Bench, Measured } from '../lib/figure.js';
import { VoidRunError } from '../lib/figure.js';
import { bundleBaseline } from '../lib/builds.js';
import { startNode, WORKSPACE, type NodeProcess } from '../lib/processes.js';
import { startStack } from '../lib/stack.js';
import { alternate } from '../lib/stats.js';
import { measureDelivery } from '../lib/ws-latency.js';

/**
 * `POST /deployments` → `deployment.created` on every subscribed WebSocket (api → outbox →
 * relay → Redis stream → realtime), p99 over every client and event, beside a raw `ws`
 * broadcast of the same POST in the same run; 100 clients, then 1,000.
 */
export const eventsBench: Bench = {
  name: 'events',
  description: 'POST /deployments → WebSocket delivery p99 at 100 and 1,000 clients vs a raw ws broadcast',
  async run({ smoke, rounds, logDir, log }) {
    const stack = await startStack({ apps: ['realtime'], logDir });
    let bare: NodeProcess | undefined;
    try {
      const port = await freePort();
      bare = await startNode({ name: 'ws-broadcast', cwd: WORKSPACE, entry: await bundleBaseline('ws-broadcast'), tsx: false, env: { BASELINE_PORT: String(port) }, url: `http://127.0.0.1:${port}`, logDir });
      const auth = { authorization: `Bearer ${stack.adminKey}`, 'content-type': 'application/json' };
      const post = (url: string) => async (model: string) => {
        const res = await fetch(url, { method: 'POST', headers: auth, body: JSON.stringify({ model, minVramGb: 1 }), signal: AbortSignal.timeout(5000) });
        if (res.status !== 201) throw new VoidRunError('events', `POST ${url} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
      };
      const figures: Measured[] = [];
      for (const [clients, target] of (smoke ? [[5, 20]] : [[100, 20], [1000, 50]]) as Array<[number, number]>) {
        const events = smoke ? 3 : clients >= 1000 ? 30 : 100;
        log(`events: ${clients} clients × ${events} events, ${rounds} rounds`);
        const p99 = await alternate(rounds, {
          ours: async () => (await measureDelivery(`events ${clients} clients`, { wsUrl: stack.wsUrl, protocols: ['hypernode.v1', `hypernode.bearer.${stack.adminKey}`], clients, events, gapMs: 20, post: post(`${stack.apiUrl}/deployments`) })).p99,
          baseline: async () => (await measureDelivery(`ws broadcast ${clients} clients`, { wsUrl: bare!.url.replace('http', 'ws'), protocols: [], clients, events, gapMs: 20, post: post(`${bare!.url}/broadcast`) })).p99,
        });
        figures.push({ name: `events POST → WS p99, ${clients} clients`, unit: 'ms', ours: p99.ours, baseline: { name: 'raw ws broadcast', ...p99.baseline }, target: { on: 'ours', op: '<=', value: target }, note: `every event delivered to every client (${events} events × ${clients} clients per round)` });
      }
      return figures;
    } finally {
      await bare?.stop();
      await stack.close();
    }
  },
};

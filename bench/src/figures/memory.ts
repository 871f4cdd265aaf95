import type { Bench, Measured } from '../lib/figure.js';
import { load } from '../lib/http-load.js';
import { sleep, type NodeProcess } from '../lib/processes.js';
import { startStack } from '../lib/stack.js';
import { median } from '../lib/stats.js';

/** Samples every service's RSS every `everyMs` while `during` runs; returns each one's samples. */
async function sampleRss(services: NodeProcess[], everyMs: number, during: Promise<unknown>): Promise<Map<string, number[]>> {
  const samples = new Map(services.map((s) => [s.name, [] as number[]]));
  const take = () => services.forEach((s) => samples.get(s.name)!.push(s.rssMb()));
  take();
  const timer = setInterval(take, everyMs);
  try {
    await during;
  } finally {
    clearInterval(timer);
  }
  take();
  return samples;
}

/**
 * Every Node service's resident memory, run from its build: idle (a settled stack, median of
 * samples over a few seconds), then peak under the api load of the api figure
 * (`GET /deployments?limit=20`, admin key, 50 connections). Printed; the api's bound is held by
 * the api figure.
 */
export const memoryBench: Bench = {
  name: 'memory',
  description: 'RSS of every service (api, realtime, automation, gpu-worker), idle and under the api load',
  async run({ smoke, rounds, logDir, log }) {
    const stack = await startStack({ apps: ['realtime', 'automation'], logDir, log, env: { HYPERNODE_PROFILE: 'production', HYPERNODE_WORKER_HOSTS: 'localhost,127.0.0.1' } });
    try {
      await stack.start('gpu-worker', 1);
      const services = [...stack.services.values()];
      await sleep(smoke ? 500 : 3000); // start-up garbage collected, timers settled
      const idle = await sampleRss(services, 200, sleep(smoke ? 500 : 3000));
      const seconds = smoke ? 1 : 5;
      const connections = smoke ? 5 : 50;
      log(`memory: idle sampled; now ${rounds} × ${seconds} s of GET /deployments?limit=20 at ${connections} connections`);
      const url = `${stack.apiUrl}/deployments?limit=20`;
      const headers = { authorization: `Bearer ${stack.adminKey}` };
      const loaded = await sampleRss(
        services,
        200,
        (async () => {
          for (let r = 0; r < rounds; r++) await load('memory: api load', { url, connections, seconds, headers });
        })(),
      );
      const figures: Measured[] = [];
      for (const s of services) {
        const i = idle.get(s.name)!;
        figures.push({ name: `RSS idle, ${s.name}`, unit: 'MB', ours: { samples: i, median: median(i) } });
      }
      for (const s of services) {
        const l = loaded.get(s.name)!;
        figures.push({ name: `RSS under api load, ${s.name}`, unit: 'MB', ours: { samples: l, median: Math.max(...l) }, note: 'peak of samples every 200 ms' });
      }
      return figures;
    } finally {
      await stack.close();
    }
  },
};

import WebSocket from 'ws';
import { VoidRunError } from './figure.js';
import { BenchHarnessError, sleep, waitFor } from './processes.js';
import { percentile } from './stats.js';

/** What one POST → WebSocket round measured. */
export interface DeliveryResult {
  /** Every client's latency per event, ms (POST sent → frame received). */
  latencies: number[];
  p50: number;
  p99: number;
  delivered: number;
  expected: number;
}

/**
 * `clients` WebSockets subscribed to `deployments`; `events` times, one after another (spaced
 * `gapMs`), `post(model)` creates a deployment with a unique model name, and every client's
 * arrival of the matching `deployment.created` is timed from just before the POST. Anything
 * short of every event on every client is a void run.
 */
export async function measureDelivery(figure: string, options: { wsUrl: string; protocols: string[]; clients: number; events: number; gapMs: number; post: (model: string) => Promise<void> }): Promise<DeliveryResult> {
  const sent = new Map<string, number>();
  const latencies: number[] = [];
  const sockets: WebSocket[] = [];
  let subscribed = 0;
  const tag = `bench-${process.hrtime.bigint()}-`;
  try {
    for (let i = 0; i < options.clients; i++) {
      const ws = new WebSocket(options.wsUrl, options.protocols, { handshakeTimeout: 5000 });
      sockets.push(ws);
      ws.on('error', () => undefined);
      ws.on('open', () => ws.send(JSON.stringify({ type: 'subscribe', topics: ['deployments'] })));
      ws.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as { type: string; event?: { type: string; data: { deployment?: { model?: string } } } };
        if (frame.type === 'subscribed') subscribed++;
        const model = frame.event?.type === 'deployment.created' ? frame.event.data.deployment?.model : undefined;
        const at = model === undefined ? undefined : sent.get(model);
        if (at !== undefined) latencies.push(performance.now() - at);
      });
      // Connect in small batches: a thousand handshakes at once measure the accept queue, not delivery.
      if (i % 50 === 49) await sleep(20);
    }
    await waitFor(`${options.clients} WebSocket clients subscribed to deployments at ${options.wsUrl} (${subscribed} so far)`, async () => subscribed >= options.clients, 30_000);
    for (let i = 0; i < options.events; i++) {
      const model = `${tag}${i}`;
      sent.set(model, performance.now());
      await options.post(model);
      await sleep(options.gapMs);
    }
    const expected = options.clients * options.events;
    await waitFor(`${expected} deliveries`, async () => latencies.length >= expected, 10_000).catch(() => undefined);
    if (latencies.length < expected) throw new VoidRunError(figure, `${latencies.length}/${expected} deliveries arrived within 10 s of the last POST`);
    if (latencies.length > expected) throw new BenchHarnessError(`${figure}: ${latencies.length} deliveries for ${expected} expected: a duplicate frame`);
    return { latencies, p50: percentile(latencies, 50), p99: percentile(latencies, 99), delivered: latencies.length, expected };
  } finally {
    for (const ws of sockets) ws.terminate();
  }
}

import { fixedRateLoad, summarize, type LoadRequest, type LoadSample } from './load.js';
import type { ServiceProcess } from './services.js';
import { startSlowRequest } from './slow-request.js';
import { sleep, waitFor } from './wait.js';
import { startWsClient } from './ws-clients.js';

/** What one SIGTERM under load did to the service and to the clients talking to it. */
export interface SigtermOutcome {
  /** Requests sent before the signal. */
  sentBefore: number;
  /** Of those, the ones still waiting for their answer when the signal went out. */
  inFlightAtSignal: number;
  /** Sent before the signal, and no HTTP answer (reset, empty reply, timeout) or a 5xx other than 503. */
  inFlightFailed: number;
  /** Sent before the signal but refused at connect (the listener had closed): counted apart. */
  refusedBefore: number;
  /** Answers to requests sent before the signal, by status (or error). */
  statusesBefore: Record<string, number>;
  /** Everything sent after the signal, by status (or error): 503s, refusals, resets. */
  statusesAfter: Record<string, number>;
  /** First close code each WebSocket client saw after the signal ('none' when it was not connected). */
  wsCloseCodes: Record<string, number>;
  exitCode: number | string | null;
  /** Signal to exit; null when it did not exit within the bound. */
  exitMs: number | null;
  /** Slow requests (body half sent before the signal, the rest 200 ms after): how many, and how many got no answer or a 5xx other than 503. */
  slowSent: number;
  slowFailed: number;
  /** Their answers, by status (or error). */
  slowStatuses: Record<string, number>;
  /** A few of the failed in-flight requests, for the report. */
  examples: string[];
}

const noAnswer = (s: LoadSample) => s.status === 0 && s.error !== 'ECONNREFUSED';

/**
 * Drives `next` at `rate` req/s (and `wsClients` resuming WebSocket clients on `wsUrl`) against
 * `service` for `warmMs`, sends SIGTERM, keeps the load going until the process exits (bounded
 * by `exitWaitMs`) and a little after, then measures what every request and client got.
 */
export async function sigtermUnderLoad(service: ServiceProcess, options: { rate: number; warmMs: number; next: (i: number) => LoadRequest; wsUrl?: string; wsClients?: number; exitWaitMs?: number; slow?: Array<{ url: string; headers?: Record<string, string>; body: unknown }> }): Promise<SigtermOutcome> {
  const clients = options.wsUrl ? Array.from({ length: options.wsClients ?? 0 }, () => startWsClient(options.wsUrl!, { retryMs: 500 })) : [];
  try {
    if (clients.length > 0) await waitFor(`${clients.length} WebSocket clients connected to ${service.name}`, () => clients.every((c) => c.record.connects > 0), 10_000);
    const load = fixedRateLoad({ rate: options.rate, durationMs: 120_000, timeoutMs: 12_000, next: options.next });
    await sleep(options.warmMs / 2);
    const slow = (options.slow ?? []).map((r) => startSlowRequest(r.url, { headers: r.headers, body: r.body, timeoutMs: 12_000 }));
    await sleep(options.warmMs / 2);
    const closesBefore = clients.map((c) => c.record.closeCodes.length);
    const termAt = service.signal('SIGTERM');
    // The slow requests' bodies complete while the service is shutting down.
    setTimeout(() => slow.forEach((r) => r.finish()), 200);
    const exit = await service.waitExit(options.exitWaitMs ?? 15_000);
    const slowResults = await Promise.all(slow.map((r) => r.result));
    // Keep sending briefly after the exit: those requests show how a closed listener answers.
    await sleep(300);
    const samples = await load.stop();
    const before = samples.filter((s) => s.sentAt < termAt);
    const failed = before.filter((s) => noAnswer(s) || (s.status >= 500 && s.status !== 503));
    const wsCloseCodes: Record<string, number> = {};
    clients.forEach((c, i) => {
      const code = String(c.record.closeCodes[closesBefore[i]!] ?? 'none');
      wsCloseCodes[code] = (wsCloseCodes[code] ?? 0) + 1;
    });
    return {
      sentBefore: before.length,
      inFlightAtSignal: before.filter((s) => s.sentAt + s.latencyMs > termAt).length,
      inFlightFailed: failed.length,
      refusedBefore: before.filter((s) => s.error === 'ECONNREFUSED').length,
      statusesBefore: summarize(before).statuses,
      statusesAfter: summarize(samples.filter((s) => s.sentAt >= termAt)).statuses,
      wsCloseCodes,
      exitCode: exit ? (exit.code ?? exit.signal) : 'still running',
      exitMs: exit ? Math.round(exit.at - termAt) : null,
      slowSent: slow.length,
      slowFailed: slowResults.filter((r) => r.status === 0 || (r.status >= 500 && r.status !== 503)).length,
      slowStatuses: slowResults.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.status || r.error || 'error']: (acc[r.status || r.error || 'error'] ?? 0) + 1 }), {}),
      examples: failed.slice(0, 3).map((s) => `${s.route} ${s.status || s.error} sent at ${Math.round(s.sentAt - termAt)} ms from SIGTERM`),
    };
  } finally {
    for (const c of clients) c.stop();
  }
}

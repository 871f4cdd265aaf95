import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { FaultsHarnessError } from './wait.js';

/** Resident memory (VmRSS) of a process in bytes, read from /proc/<pid>/status (Linux). */
export function rssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new FaultsHarnessError(`no VmRSS in /proc/${pid}/status: is process ${pid} still running?`);
  return Number(match[1]) * 1024;
}

/** What a monitor saw between start and stop. */
export interface MonitorReport {
  /** Latency of every health request in ms; a request that failed or timed out counts as its timeout. */
  healthMs: number[];
  healthFailures: number;
  /** Highest RSS sampled, bytes. */
  peakRssBytes: number;
  rssSamples: number;
}

/** A running monitor. */
export interface Monitor {
  stop(): Promise<MonitorReport>;
}

// Runs in its own thread (own event loop), so the scenario's busy main thread — parsing
// hundreds of thousands of WebSocket frames — neither delays the polls nor inflates latencies.
const WORKER_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const { healthUrl, pid, everyMs, timeoutMs } = workerData;
const healthMs = [];
let healthFailures = 0, peakRssBytes = 0, rssSamples = 0, stopped = false;
const rss = () => {
  try {
    const m = /^VmRSS:\\s+(\\d+)\\s+kB$/m.exec(readFileSync('/proc/' + pid + '/status', 'utf8'));
    if (m) { peakRssBytes = Math.max(peakRssBytes, Number(m[1]) * 1024); rssSamples++; }
  } catch {}
};
const rssTimer = setInterval(rss, everyMs);
const poll = async () => {
  while (!stopped) {
    const t0 = performance.now();
    try {
      const res = await fetch(healthUrl, { signal: AbortSignal.timeout(timeoutMs) });
      await res.arrayBuffer();
      if (!res.ok) healthFailures++;
      healthMs.push(performance.now() - t0);
    } catch {
      healthFailures++;
      healthMs.push(timeoutMs);
    }
    const wait = everyMs - (performance.now() - t0);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
};
let done;
// One warm-up request (loading fetch costs tens of ms once), then report ready and start.
fetch(healthUrl, { signal: AbortSignal.timeout(timeoutMs) }).then((r) => r.arrayBuffer()).catch(() => undefined).then(() => {
  done = poll();
  parentPort.postMessage('ready');
});
parentPort.on('message', async () => {
  stopped = true;
  await done;
  clearInterval(rssTimer);
  rss();
  parentPort.postMessage({ healthMs, healthFailures, peakRssBytes, rssSamples });
});
rss();
`;

/**
 * Polls `healthUrl` every `everyMs` (each request bounded by `timeoutMs`) and samples the RSS of
 * process `pid` at the same pace, in a worker thread, until `stop()`. Resolves once the thread
 * has made one warm-up request (not counted) and started polling.
 */
export async function startMonitor(options: { healthUrl: string; pid: number; everyMs?: number; timeoutMs?: number }): Promise<Monitor> {
  const worker = new Worker(WORKER_CODE, { eval: true, workerData: { healthUrl: options.healthUrl, pid: options.pid, everyMs: options.everyMs ?? 50, timeoutMs: options.timeoutMs ?? 2000 } });
  const failed = new Promise<never>((_, reject) => worker.once('error', (e) => reject(new FaultsHarnessError(`monitor thread failed: ${e.message}`))));
  failed.catch(() => undefined);
  const ready = new Promise<void>((resolve) => worker.once('message', () => resolve()));
  const startTimeout = new Promise<never>((_, reject) => setTimeout(() => reject(new FaultsHarnessError('monitor thread did not start within 10000 ms')), 10_000).unref());
  try {
    await Promise.race([ready, failed, startTimeout]);
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  return {
    stop: async () => {
      const report = new Promise<MonitorReport>((resolve) => worker.once('message', resolve));
      worker.postMessage('stop');
      const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new FaultsHarnessError('monitor thread did not report within 10000 ms')), 10_000).unref());
      try {
        return await Promise.race([report, failed, timeout]);
      } finally {
        await worker.terminate();
      }
    },
  };
}

/** The p-th percentile (0–100) of `values`, rounded to 0.1; 0 when empty. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]! * 10) / 10;
}

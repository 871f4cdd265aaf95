import autocannon from 'autocannon';
import { VoidRunError } from './figure.js';

/** One autocannon run's figures. */
export interface LoadResult {
  /** Mean requests per second over the run. */
  rps: number;
  p99Ms: number;
  requests: number;
}

/**
 * Loads `url` with autocannon (`connections` connections for `seconds`); any non-2xx answer,
 * error or timeout makes the run void (VoidRunError naming the figure and the count).
 */
export async function load(figure: string, options: { url: string; connections: number; seconds: number; headers?: Record<string, string> }): Promise<LoadResult> {
  const result = await autocannon({ url: options.url, connections: options.connections, duration: options.seconds, headers: options.headers });
  const bad = result.non2xx + result.errors + result.timeouts;
  if (bad > 0) throw new VoidRunError(figure, `${options.url}: ${result.non2xx} non-2xx answers, ${result.errors} errors, ${result.timeouts} timeouts out of ${result.requests.total} requests`);
  if (result.requests.total === 0) throw new VoidRunError(figure, `${options.url}: no request completed in ${options.seconds} s`);
  return { rps: result.requests.total / (result.duration || options.seconds), p99Ms: result.latency.p99, requests: result.requests.total };
}

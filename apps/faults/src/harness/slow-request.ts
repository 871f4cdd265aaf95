import { request as httpRequest } from 'node:http';
import { withAuth } from './credentials.js';

/** A request whose body is still arriving: the head and half the body now, the rest on `finish()`. */
export interface SlowRequest {
  /** Sends the rest of the body. */
  finish(): void;
  /** Resolves with the HTTP status (0 when there was none) and the error, bounded by `timeoutMs`. */
  result: Promise<{ status: number; error?: string }>;
}

/**
 * Starts a JSON request and sends only half its body: an in-flight request for as long as the
 * caller wants (a slow client on a slow network). `finish()` sends the rest.
 */
export function startSlowRequest(url: string, options: { method?: string; headers?: Record<string, string>; body: unknown; timeoutMs: number }): SlowRequest {
  const payload = Buffer.from(JSON.stringify(options.body));
  const half = Math.floor(payload.length / 2);
  const req = httpRequest(url, { method: options.method ?? 'POST', headers: { ...withAuth(options.headers), 'content-type': 'application/json', 'content-length': String(payload.length) }, timeout: options.timeoutMs, agent: false });
  const result = new Promise<{ status: number; error?: string }>((resolve) => {
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
      res.on('error', (e) => resolve({ status: res.statusCode ?? 0, error: (e as NodeJS.ErrnoException).code ?? e.message }));
    });
    req.on('timeout', () => {
      req.destroy();
      resolve({ status: 0, error: 'timeout' });
    });
    req.on('error', (e) => resolve({ status: 0, error: (e as NodeJS.ErrnoException).code ?? e.message }));
  });
  req.flushHeaders();
  req.write(payload.subarray(0, half));
  return {
    finish: () => {
      if (!req.destroyed) req.end(payload.subarray(half));
    },
    result,
  };
}

/**
 * undici (110 modules, ~0.1 s of CPU to load) is loaded on the first call, once per process:
 * the api and realtime, which never make one, do not load it at start.
 */
let undici: Promise<typeof import('undici')> | undefined;
const loadUndici = () =>
  (undici ??= import('undici').catch((error: unknown) => {
    undici = undefined; // a failed load is tried again by the next call, not remembered
    throw error;
  }));

/**
 * One service-to-service HTTP exchange (a worker reporting to the api, the engine dispatching to
 * a worker) through undici's `request` rather than the global `fetch`: the same client underneath
 * (and its keep-alive pool), without the WHATWG Request/Response/stream layers, which cost a
 * simulated worker about half its CPU per deployment (`bench/cycle-breakdown.ts`; measured: a
 * loopback JSON POST 825 µs of CPU through fetch, 250 µs through `request`).
 */

/** What came back: the status and at most `maxBytes` of the body, as text. */
export interface HttpAnswer {
  status: number;
  body: string;
  /** The body was longer than `maxBytes` (the rest was not read; the connection is closed). */
  truncated: boolean;
}

/** The exchange did not complete: no connection, a reset, or no whole answer within `timeoutMs`. */
export class HttpCallError extends Error {
  readonly code = 'E_HTTP_CALL';
  constructor(
    message: string,
    /** True when the bound ran out (as opposed to a refused or reset connection). */
    readonly timedOut: boolean,
  ) {
    super(message);
    this.name = 'HttpCallError';
  }
}

export interface HttpCallOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  headers?: Record<string, string>;
  /** Sent as JSON (`content-type: application/json`). */
  json?: unknown;
  /** Bound of the whole exchange: connect, request, answer and its body. */
  timeoutMs: number;
  /** Most of the body read (default 1 MiB); a longer one is cut and `truncated`. */
  maxBytes?: number;
}

/**
 * Makes one request and reads its answer, within `timeoutMs` for all of it. Redirects are never
 * followed (a 3xx is an answer like any other). Throws HttpCallError naming the URL and why.
 */
export async function httpCall(url: string | URL, options: HttpCallOptions): Promise<HttpAnswer> {
  const { method = options.json === undefined ? 'GET' : 'POST', timeoutMs, maxBytes = 1 << 20 } = options;
  const signal = AbortSignal.timeout(timeoutMs);
  const headers = options.json === undefined ? options.headers : { 'content-type': 'application/json', ...options.headers };
  try {
    const { request } = await loadUndici();
    const res = await request(url, { method, headers, body: options.json === undefined ? undefined : JSON.stringify(options.json), signal });
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
      if (size > maxBytes) {
        truncated = true;
        break; // ends the iteration: undici destroys the body and drops that connection
      }
    }
    return { status: res.statusCode, body: Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8'), truncated };
  } catch (error) {
    if (signal.aborted) throw new HttpCallError(`${method} ${String(url)}: no whole answer within ${timeoutMs} ms`, true);
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code;
    throw new HttpCallError(`${method} ${String(url)}: ${(error as Error).message}${cause ? ` (${cause})` : ''}`, false);
  }
}

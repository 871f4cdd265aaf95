import type { LogLine, LogPage, LogStreamFrame, SupervisedService, SupervisorServices, TraceDetail, TraceList } from '@hypernode/events';
import { NotSignedInError } from '../auth-client.js';
import { logQuery, type LogFilter } from './log-buffer.js';

/** What the dashboard says when the supervisor does not answer (a bare `nx run-many -t serve`). */
export const NO_SUPERVISOR = 'Logs and actions need `npm start` (the stack supervisor, `hypernode up`): it does not answer';

/** The supervisor did not answer, or answered with an error; the message says what to do. */
export class SupervisorError extends Error {
  readonly code = 'E_SUPERVISOR';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Every request is bounded: a hung supervisor must not hang the page. */
export const SUPERVISOR_TIMEOUT_MS = 5_000;

/**
 * The supervisor's HTTP contract (@hypernode/events dashboard.ts), with the browser's session
 * cookie (`credentials: 'include'`: the api's cookie is port-agnostic on localhost).
 */
export class SupervisorClient {
  constructor(readonly baseUrl: string) {}

  private async request(path: string, init: RequestInit = {}): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, { ...init, credentials: 'include', signal: AbortSignal.timeout(SUPERVISOR_TIMEOUT_MS) });
    } catch {
      throw new SupervisorError(`${NO_SUPERVISOR} at ${this.baseUrl}`);
    }
    if (res.status === 401) throw new NotSignedInError();
    if (!res.ok) {
      const body = (await res.json().catch(() => ({}))) as { message?: string };
      throw new SupervisorError(`supervisor answered ${res.status} for ${path}${body.message ? `: ${body.message}` : ''}`, res.status);
    }
    return res;
  }

  private async json<T>(path: string, init?: RequestInit): Promise<T> {
    return (await (await this.request(path, init)).json()) as T;
  }

  services(): Promise<SupervisorServices> {
    return this.json('/services');
  }

  /** Restart, stop or start one service (admin). */
  act(name: string, action: 'restart' | 'stop' | 'start'): Promise<SupervisedService> {
    return this.json(`/services/${encodeURIComponent(name)}/${action}`, { method: 'POST' });
  }

  logs(filter: LogFilter, limit = 1000, before?: number): Promise<LogPage> {
    return this.json(`/logs${logQuery(filter, { limit, before })}`);
  }

  downloadUrl(filter: LogFilter): string {
    return `${this.baseUrl}/logs/download${logQuery(filter)}`;
  }

  /** Recent traces; a supervisor without the traces endpoints (404) has none. */
  async traces(deploymentId?: string): Promise<TraceList> {
    try {
      return await this.json(`/traces${deploymentId ? `?deploymentId=${encodeURIComponent(deploymentId)}&limit=50` : '?limit=50'}`);
    } catch (e) {
      if (e instanceof SupervisorError && e.status === 404) return { traces: [] };
      throw e;
    }
  }

  async trace(traceId: string): Promise<TraceDetail | undefined> {
    try {
      return await this.json(`/traces/${encodeURIComponent(traceId)}`);
    } catch (e) {
      if (e instanceof SupervisorError && e.status === 404) return undefined;
      throw e;
    }
  }

  /** The WebSocket URL of the log stream for the filter (the server filters services, level and search). */
  streamUrl(filter: LogFilter): string {
    return `${this.baseUrl.replace(/^http/, 'ws')}/logs/stream${logQuery(filter)}`;
  }
}

export type StreamState = 'connecting' | 'open' | 'closed';

/**
 * `WS /logs/stream` with reconnect (bounded backoff): frames go to `onFrame`; state changes to
 * `onState`. After a reconnect the caller re-reads `GET /logs` (lines from the gap).
 */
export class LogStream {
  private socket?: WebSocket;
  private closed = false;
  private attempt = 0;
  private timer?: ReturnType<typeof setTimeout>;

  constructor(
    private readonly url: string,
    private readonly onFrame: (frame: LogStreamFrame) => void,
    private readonly onState: (state: StreamState, reconnected: boolean) => void = () => undefined,
  ) {}

  start(): this {
    this.connect();
    return this;
  }

  private connect(): void {
    if (this.closed) return;
    this.onState('connecting', false);
    const socket = new WebSocket(this.url);
    this.socket = socket;
    const reconnected = this.attempt > 0;
    socket.onopen = () => {
      this.attempt = 0;
      this.onState('open', reconnected);
    };
    socket.onmessage = (event) => {
      try {
        this.onFrame(JSON.parse(String(event.data)) as LogStreamFrame);
      } catch {
        // A frame that is not JSON is not ours: ignore it rather than stop the stream.
      }
    };
    socket.onclose = () => {
      if (this.closed) return;
      this.onState('closed', false);
      this.attempt++;
      this.timer = setTimeout(() => this.connect(), Math.min(10_000, 250 * 2 ** Math.min(this.attempt, 6)));
    };
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.socket?.close();
  }
}

/** How a FrameBatcher paces itself under a flood. */
export interface FramePacing {
  /** A flush of at least this many items means a flood… */
  floodItems: number;
  /** …and the next flush waits until this long after it (it still comes on an animation frame). */
  floodGapMs: number;
}

/**
 * Items batched for one animation frame: the viewer updates at most once per frame whatever the
 * rate. Under a flood (`pacing`) it updates at most once per `floodGapMs`: a log view that
 * replaces every visible row each frame cannot be read anyway, and the frames between stay free
 * for scrolling, input and the browser's own work.
 */
export class FrameBatcher<T> {
  private pending: T[] = [];
  private scheduled = false;
  private lastFlushAt = -Infinity;
  private lastFlushSize = 0;
  constructor(
    private readonly flush: (items: T[]) => void,
    /** Calls back on the next animation frame with its timestamp (ms). */
    private readonly schedule: (cb: (now: number) => void) => unknown = (cb) => requestAnimationFrame(cb),
    /** Pending items beyond this are dropped oldest first (a hidden tab gets no frames). */
    private readonly cap = 50_000,
    private readonly pacing?: FramePacing,
  ) {}

  push(items: readonly T[]): void {
    for (const item of items) this.pending.push(item);
    if (this.pending.length > this.cap) this.pending.splice(0, this.pending.length - this.cap);
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(this.onFrame);
  }

  private readonly onFrame = (now: number): void => {
    const flood = this.pacing && this.lastFlushSize >= this.pacing.floodItems;
    if (flood && now - this.lastFlushAt < this.pacing!.floodGapMs) {
      this.schedule(this.onFrame);
      return;
    }
    this.scheduled = false;
    const items = this.pending;
    this.pending = [];
    this.lastFlushAt = now;
    this.lastFlushSize = items.length;
    this.flush(items);
  };
}

export type { LogLine };

import type { HypernodeEvent } from '@hypernode/events';

/** Connection state shown by the indicator. */
export type StreamStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** The parts of a WebSocket this client uses (the browser's, or `ws` in tests). */
export interface SocketLike {
  readyState: number;
  send(data: string): void;
  close(): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}

/** Options of an event stream. */
export interface EventStreamOptions {
  url: string;
  topics: string[];
  onEvent: (event: HypernodeEvent) => void;
  onStatus?: (status: StreamStatus) => void;
  /** The server no longer has events since our last id: reload the current state. */
  onReset?: () => void;
  /** Socket factory; default the global WebSocket. */
  connect?: (url: string) => SocketLike;
  /** First retry delay; doubles up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * A realtime subscription that survives drops: reconnects with exponential backoff and
 * resubscribes with the last event id it saw, so the server replays what was missed; ids at or
 * below that one are ignored, so nothing is applied twice.
 */
export class EventStream {
  lastEventId: string | undefined;
  private socket: SocketLike | undefined;
  private attempts = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(private readonly options: EventStreamOptions) {}

  /** Opens the connection (and keeps reopening it until close()). */
  start(): this {
    this.open();
    return this;
  }

  private status(status: StreamStatus): void {
    this.options.onStatus?.(status);
  }

  private open(): void {
    this.status(this.attempts === 0 ? 'connecting' : 'reconnecting');
    const socket = (this.options.connect ?? ((url) => new WebSocket(url) as unknown as SocketLike))(this.options.url);
    this.socket = socket;
    socket.onopen = () => {
      this.attempts = 0;
      socket.send(JSON.stringify({ type: 'subscribe', topics: this.options.topics, ...(this.lastEventId ? { lastEventId: this.lastEventId } : {}) }));
      this.status('open');
    };
    socket.onmessage = (message) => {
      const frame = JSON.parse(String(message.data)) as { type: string; event?: HypernodeEvent };
      if (frame.type === 'reset') this.options.onReset?.();
      if (frame.type !== 'event' || !frame.event) return;
      if (this.lastEventId !== undefined && BigInt(frame.event.id) <= BigInt(this.lastEventId)) return;
      this.lastEventId = frame.event.id;
      this.options.onEvent(frame.event);
    };
    socket.onerror = () => undefined; // onclose follows and schedules the retry
    socket.onclose = () => {
      if (this.closed) return this.status('closed');
      this.status('reconnecting');
      const delay = Math.min((this.options.baseDelayMs ?? 500) * 2 ** this.attempts, this.options.maxDelayMs ?? 10_000);
      this.attempts++;
      this.timer = setTimeout(() => this.open(), delay);
    };
  }

  /** Stops for good. */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.socket?.close();
    this.status('closed');
  }
}

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
  /** The server cannot prove it has every event since our last id (trimmed backlog, new epoch, …): reload the current state. */
  onReset?: () => void;
  /** Socket factory; default the global WebSocket. */
  connect?: (url: string) => SocketLike;
  /** First retry delay; doubles up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/** The frames this client reads (see apps/realtime/src/protocol.ts). */
type ServerFrame = { type: string; event?: HypernodeEvent; epoch?: string | null; lastEventId?: string };

/**
 * A realtime subscription that survives drops: reconnects with exponential backoff and
 * resubscribes with the last event id it saw AND the stream epoch that id belongs to, so the
 * server replays exactly what was missed (or answers `reset`); ids at or below the last one are
 * ignored, so nothing is applied twice.
 */
export class EventStream {
  lastEventId: string | undefined;
  /** Epoch of the stream `lastEventId` belongs to (from hello, or from the latest reset). */
  epoch: string | undefined;
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
      const resume = this.lastEventId ? { lastEventId: this.lastEventId, ...(this.epoch ? { epoch: this.epoch } : {}) } : {};
      socket.send(JSON.stringify({ type: 'subscribe', topics: this.options.topics, ...resume }));
      this.status('open');
    };
    socket.onmessage = (message) => {
      let frame: ServerFrame;
      try {
        frame = JSON.parse(String(message.data)) as ServerFrame;
      } catch {
        return; // not ours to act on
      }
      this.onFrame(frame);
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

  private onFrame(frame: ServerFrame): void {
    // A hello names the epoch of the ids to come; ids we already hold keep the epoch they came from.
    if (frame.type === 'hello' && this.lastEventId === undefined) this.epoch = frame.epoch ?? undefined;
    if (frame.type === 'reset') {
      // Earlier ids may belong to another epoch (they restart after a re-seed): resume from the
      // point the server names, in its epoch, after reloading the state.
      this.epoch = frame.epoch ?? undefined;
      this.lastEventId = frame.lastEventId;
      this.options.onReset?.();
    }
    if (frame.type !== 'event' || !frame.event) return;
    if (this.lastEventId !== undefined && BigInt(frame.event.id) <= BigInt(this.lastEventId)) return;
    this.lastEventId = frame.event.id;
    this.options.onEvent(frame.event);
  }

  /** Stops for good. */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.socket?.close();
    this.status('closed');
  }
}

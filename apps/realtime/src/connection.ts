import type { Principal } from '@hypernode/auth';
import type { WebSocket } from 'ws';
import { CLOSE, MAX_PENDING_OPS, type ServerMessage } from './protocol.js';

/** A frame serialized once for many connections (a live event fanned out to every subscriber). */
export class SerializedMessage {
  readonly text: string;
  constructor(message: ServerMessage) {
    this.text = JSON.stringify(message);
  }
}

/** Bounds one connection's sending works within. */
export interface ConnectionLimits {
  /** Unsent bytes past which the client counts as stopped reading (dropped with 4008). */
  maxBufferedBytes: number;
  /** Longest a replay waits for the client to read its buffer down. */
  replayStallMs: number;
}

/**
 * One client connection and where it stands in the event stream.
 *
 * `cursor` is the stream position handled for every topic the connection holds (live events at
 * or below it are skipped); `sent` is the highest id delivered (or that the client said it has).
 * Nothing at or below `sent` is ever sent again, so ids on a connection only grow.
 */
export class Connection {
  readonly topics = new Set<string>();
  /** idle: not following yet; live: gets events as the follower reads them; replaying: a replay owns the sending. */
  mode: 'idle' | 'live' | 'replaying' = 'idle';
  cursor = 0n;
  sent = 0n;
  /** Bumped whenever the server re-positions this connection; a replay that sees it change stops. */
  generation = 0;
  /** False once a ping went unanswered; the next heartbeat drops the peer. */
  alive = true;
  closed = false;
  private ops: Promise<void> = Promise.resolve();
  private pending = 0;

  constructor(
    readonly socket: WebSocket,
    readonly address: string,
    private readonly limits: ConnectionLimits,
    /** Who opened it, as the api said at the upgrade. */
    readonly principal: Principal,
  ) {}

  /** Sends one frame; drops a client that stopped reading. False when nothing was sent. */
  send(message: ServerMessage | SerializedMessage): boolean {
    if (this.closed || this.socket.readyState !== this.socket.OPEN) return false;
    if (this.socket.bufferedAmount > this.limits.maxBufferedBytes) {
      this.dropSlow();
      return false;
    }
    this.socket.send(message instanceof SerializedMessage ? message.text : JSON.stringify(message));
    return true;
  }

  /**
   * Waits (bounded) until the client has read its buffer down to a quarter of the bound, so a
   * replay never piles more than that into memory. False when the connection is gone or stalled.
   */
  async drain(): Promise<boolean> {
    const lowWater = this.limits.maxBufferedBytes / 4;
    const deadline = Date.now() + this.limits.replayStallMs;
    while (this.socket.bufferedAmount > lowWater) {
      if (this.closed || this.socket.readyState !== this.socket.OPEN) return false;
      if (Date.now() > deadline) {
        this.dropSlow();
        return false;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    return !this.closed;
  }

  /** True when the buffer is past the point where a replay should wait before sending more. */
  get congested(): boolean {
    return this.socket.bufferedAmount > this.limits.maxBufferedBytes / 4;
  }

  /**
   * Runs `op` after every earlier one (one replay at a time per connection, frames answered in
   * order). False, and nothing queued, when MAX_PENDING_OPS already wait.
   */
  enqueue(op: () => Promise<void>): boolean {
    if (this.pending >= MAX_PENDING_OPS) return false;
    this.pending++;
    this.ops = this.ops.then(op).catch(() => undefined).finally(() => this.pending--);
    return true;
  }

  /** Closes with a code and reason; the peer gets a moment to answer, then the socket is cut. */
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.generation++;
    this.socket.close(code, reason);
    setTimeout(() => this.socket.terminate(), 1000).unref();
  }

  private dropSlow(): void {
    this.close(CLOSE.SLOW_CONSUMER, 'slow consumer: reconnect with lastEventId');
  }
}

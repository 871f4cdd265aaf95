import { hasScope, type Scope } from '@hypernode/auth';
import type { HypernodeEvent } from '@hypernode/events';
import type { RealtimeConfig } from './config.js';
import { Connection, SerializedMessage } from './connection.js';
import { isTrimmedAfter, type Backlog, type EventFeed, type Reposition } from './feed.js';
import { CLOSE, parseClientMessage, ProtocolError, type ClientMessage, type ResetCode } from './protocol.js';

type Subscribe = Extract<ClientMessage, { type: 'subscribe' }>;

const matches = (event: HypernodeEvent, topics: ReadonlySet<string>) => Array.isArray(event.topics) && event.topics.some((t) => topics.has(t));
const max = (...values: bigint[]) => values.reduce((a, b) => (a > b ? a : b));
const RELOAD = 'reload the current state, then follow live events';

/** The scope a topic needs. Every topic is `read` today; a topic needing more is added here. */
export function topicScope(_topic: string): Scope {
  return 'read';
}

/**
 * At most `size` replays run at once across all connections; the others wait their turn in
 * order. A dozen lines, so hand-written rather than a dependency (p-limit is only transitive here).
 */
class ReplaySlots {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly size: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

/**
 * Every connection of one realtime server: subscriptions, resume (paged, bounded replays) and
 * live fan-out of the follower's events. See protocol.ts for the guarantees.
 */
export class Hub {
  readonly connections = new Set<Connection>();
  private readonly perAddress = new Map<string, number>();
  private readonly perPrincipal = new Map<string, number>();
  private readonly replaySlots: ReplaySlots;

  constructor(
    private readonly feed: EventFeed,
    private readonly config: RealtimeConfig,
    private readonly instanceId: string,
  ) {
    this.replaySlots = new ReplaySlots(config.maxConcurrentReplays);
  }

  /** Takes a new socket (or closes it with 4029 / 4030 when its address / principal holds too many). */
  accept(connection: Connection): void {
    const held = this.perAddress.get(connection.address) ?? 0;
    if (held >= this.config.maxConnectionsPerAddress) {
      connection.close(CLOSE.TOO_MANY_CONNECTIONS, `too many connections from this address (at most ${this.config.maxConnectionsPerAddress}): close one`);
      return;
    }
    const principal = connection.principal.id;
    const heldByPrincipal = this.perPrincipal.get(principal) ?? 0;
    if (heldByPrincipal >= this.config.maxConnectionsPerPrincipal) {
      connection.close(CLOSE.TOO_MANY_PRINCIPAL_CONNECTIONS, `too many connections with this credential (at most ${this.config.maxConnectionsPerPrincipal}): close one`);
      return;
    }
    this.perAddress.set(connection.address, held + 1);
    this.perPrincipal.set(principal, heldByPrincipal + 1);
    this.connections.add(connection);
    const { socket } = connection;
    socket.on('pong', () => (connection.alive = true));
    socket.on('close', () => this.forget(connection));
    socket.on('error', () => this.forget(connection));
    socket.on('message', (data, isBinary) => this.receive(connection, data.toString(), isBinary));
    connection.send({ type: 'hello', instanceId: this.instanceId, epoch: this.feed.epoch ?? null });
  }

  /** A live event from the follower: to every live connection holding one of its topics. */
  dispatch(id: bigint, event: HypernodeEvent | undefined): void {
    let frame: SerializedMessage | undefined; // serialized once, for the first subscriber that gets it
    for (const c of this.connections) {
      if (c.mode !== 'live' || id <= c.cursor) continue;
      c.cursor = id;
      if (event && id > c.sent && matches(event, c.topics) && c.send((frame ??= new SerializedMessage({ type: 'event', event })))) c.sent = id;
    }
  }

  /** The follower moved (first start, new epoch, stream reset): every connection restarts there with `reset`. */
  reposition(at: Reposition): void {
    const code: ResetCode = at.reason === 'start' ? 'unproven' : at.reason;
    const reason =
      at.reason === 'start'
        ? `the event stream was not reachable when you connected, so nothing before now can be proven delivered: ${RELOAD}`
        : at.reason === 'epoch_changed'
          ? `the event stream was re-seeded (epoch ${at.epoch ?? 'none'}); event ids restarted: ${RELOAD}`
          : `the event stream went backwards or vanished (Redis lost its data?): ${RELOAD}`;
    for (const c of this.connections) {
      c.generation++;
      c.mode = 'live';
      c.cursor = c.sent = at.id;
      c.send({ type: 'reset', code, reason, epoch: at.epoch, oldestEventId: at.oldestId?.toString() ?? null, lastEventId: String(at.id) });
    }
  }

  /** Says goodbye to every connection with `code`. */
  closeAll(code: number, reason: string): void {
    for (const c of this.connections) c.close(code, reason);
  }

  private forget(connection: Connection): void {
    if (!this.connections.delete(connection)) return;
    connection.closed = true;
    connection.generation++;
    const held = (this.perAddress.get(connection.address) ?? 1) - 1;
    if (held > 0) this.perAddress.set(connection.address, held);
    else this.perAddress.delete(connection.address);
    const byPrincipal = (this.perPrincipal.get(connection.principal.id) ?? 1) - 1;
    if (byPrincipal > 0) this.perPrincipal.set(connection.principal.id, byPrincipal);
    else this.perPrincipal.delete(connection.principal.id);
  }

  private receive(c: Connection, raw: string, isBinary: boolean): void {
    try {
      if (isBinary) throw new ProtocolError('binary', 'binary frames are not understood: send JSON text');
      const message = parseClientMessage(raw, this.config.maxTopicsPerConnection);
      if (message.type === 'ping') c.send({ type: 'pong' });
      else if (!c.enqueue(() => (message.type === 'subscribe' ? this.subscribe(c, message) : this.unsubscribe(c, message.topics)))) {
        throw new ProtocolError('busy', 'too many subscribe/unsubscribe frames are waiting behind a replay: wait for their answers, then send more');
      }
    } catch (error) {
      const e = error instanceof ProtocolError ? error : new ProtocolError('bad_message', (error as Error).message);
      c.send({ type: 'error', code: e.code, message: e.message });
    }
  }

  private async unsubscribe(c: Connection, topics: string[]): Promise<void> {
    const removed = topics.filter((t) => c.topics.delete(t));
    c.send({ type: 'subscribed', added: [], removed, count: c.topics.size });
  }

  private async subscribe(c: Connection, message: Subscribe): Promise<void> {
    // A topic the principal may not read is refused whole: nothing is subscribed, so nothing is delivered.
    const forbidden = message.topics.filter((t) => !hasScope(c.principal.scopes as Scope[], topicScope(t)));
    if (forbidden.length > 0) {
      c.send({ type: 'error', code: 'forbidden', message: `this ${c.principal.kind} may not read ${forbidden.slice(0, 3).join(', ')}${forbidden.length > 3 ? ` and ${forbidden.length - 3} more` : ''}: it needs the ${topicScope(forbidden[0]!)} scope` });
      return;
    }
    const added = message.topics.filter((t) => !c.topics.has(t));
    if (c.topics.size + added.length > this.config.maxTopicsPerConnection) {
      c.send({ type: 'error', code: 'too_many_topics', message: `this connection holds ${c.topics.size} topics and asked for ${added.length} more; at most ${this.config.maxTopicsPerConnection}: unsubscribe some first` });
      return;
    }
    for (const t of added) c.topics.add(t);
    c.send({ type: 'subscribed', added, removed: [], count: c.topics.size });
    const generation = c.generation;
    if (message.lastEventId !== undefined) await this.resume(c, BigInt(message.lastEventId), message.epoch, new Set(added), generation);
    else if (c.mode === 'idle' && this.feed.position !== undefined) this.restartAt(c, this.feed.position);
  }

  private restartAt(c: Connection, id: bigint): void {
    c.mode = 'live';
    c.cursor = c.sent = id;
  }

  /** Replays what the client missed since `after` (see protocol.ts), or sends `reset`. */
  private async resume(c: Connection, after: bigint, epoch: string | undefined, added: Set<string>, generation: number): Promise<void> {
    const fresh = c.mode === 'idle';
    if (!fresh && added.size === 0) return; // nothing new to replay: a re-subscribe never rewinds
    const unavailable = () => c.close(CLOSE.TRY_AGAIN_LATER, 'event stream unavailable: reconnect later with the same lastEventId');
    if (this.feed.position === undefined) return unavailable();
    let backlog: Backlog;
    try {
      backlog = await this.feed.backlog();
    } catch {
      return c.generation === generation ? unavailable() : undefined;
    }
    if (c.generation !== generation || this.feed.position === undefined) return;
    if (epoch === undefined || epoch !== this.feed.epoch) {
      const why = epoch === undefined ? 'lastEventId came without its epoch, so a resume cannot be proven exact' : `lastEventId belongs to epoch ${epoch}, the stream is now at epoch ${this.feed.epoch ?? 'none'}`;
      return this.reset(c, epoch === undefined ? 'unproven' : 'epoch_changed', `${why}: ${RELOAD}`, backlog);
    }
    if (!fresh && after < c.sent) {
      return this.reset(c, 'rewind_refused', `lastEventId ${after} is below ${c.sent}, already delivered here, so the added topics' missed events cannot be sent in order: ${RELOAD}`, backlog);
    }
    if (isTrimmedAfter(after, backlog)) return this.reset(c, 'backlog_trimmed', `events after ${after} are no longer kept: ${RELOAD}`, backlog);
    if (this.feed.position - after > BigInt(this.config.maxReplayEvents)) return this.tooLong(c, backlog);
    if (fresh) c.sent = after;
    const cursor = fresh ? after : c.cursor;
    c.mode = 'replaying'; // live events stay in the stream while it waits its turn
    await this.replaySlots.run(() => (c.generation === generation && !c.closed ? this.replay(c, after, cursor, added, generation, backlog) : Promise.resolve()));
  }

  private tooLong(c: Connection, backlog: Backlog): void {
    this.reset(c, 'replay_too_long', `more than ${this.config.maxReplayEvents} events were missed, past the replay cap: ${RELOAD}`, backlog);
  }

  private reset(c: Connection, code: ResetCode, reason: string, backlog: Backlog): void {
    const at = max(this.feed.position ?? 0n, c.mode === 'idle' ? 0n : max(c.cursor, c.sent));
    this.restartAt(c, at);
    c.send({ type: 'reset', code, reason, epoch: this.feed.epoch ?? null, oldestEventId: backlog.oldestId?.toString() ?? null, lastEventId: String(at) });
  }

  /**
   * Sends the missed events page by page: entries at or below `addedUpTo` only for the newly
   * added topics (the others were handled live), later ones for every topic; live events wait
   * in the stream (not in memory) until the replay has caught up with the follower.
   */
  private async replay(c: Connection, from: bigint, addedUpTo: bigint, added: Set<string>, generation: number, backlog: Backlog): Promise<void> {
    c.mode = 'replaying';
    let at = from;
    let scanned = 0;
    const stale = () => c.generation !== generation || c.closed;
    for (;;) {
      const target = this.feed.position ?? at;
      if (at >= target) break;
      let page;
      try {
        page = await this.feed.page(at, this.config.replayPageSize);
      } catch {
        if (!stale()) c.close(CLOSE.TRY_AGAIN_LATER, 'event stream unavailable during replay: reconnect with your lastEventId');
        return;
      }
      if (stale()) return;
      // The stream no longer reaches the follower's position: it was reset; the follower re-positions everyone.
      if (page.length === 0) break;
      for (const { id, event } of page) {
        if (id <= at) continue;
        at = id;
        scanned++;
        if (!event || id <= c.sent || !matches(event, id <= addedUpTo ? added : c.topics)) continue;
        if (c.congested && (!(await c.drain()) || stale())) return;
        if (!c.send({ type: 'event', event })) return;
        c.sent = id;
      }
      if (scanned > this.config.maxReplayEvents) return this.tooLong(c, backlog);
      // Let /health, pings and live fan-out run between pages: many replays must not starve them.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    this.restartAt(c, max(at, this.feed.position ?? at, c.sent));
  }
}

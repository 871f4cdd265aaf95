import type { Redis } from 'ioredis';
import type { HypernodeEvent } from '@hypernode/events';

/** One stream entry: its event id (from the entry id `<event id>-0`) and the event, if readable. */
export interface StreamEntry {
  id: bigint;
  event: HypernodeEvent | undefined;
  /** W3C trace context the relay put beside the event (its `relay publish` span), when traced. */
  traceparent?: string;
}

/** What the stream holds right now, as far as resume decisions need it. */
export interface Backlog {
  /** Id of the oldest entry kept, or undefined when the stream is empty or missing. */
  oldestId: bigint | undefined;
  /** Highest id ever added to this stream (0 when it is missing). */
  lastId: bigint;
  /** True when entries were trimmed away (or when Redis cannot say). */
  removed: boolean;
}

/** Where the follower stands after (re-)positioning, and why it moved. */
export interface Reposition {
  reason: 'start' | 'epoch_changed' | 'stream_reset';
  epoch: string | null;
  id: bigint;
  oldestId: bigint | undefined;
}

/** What the follower reports. */
export interface FeedHandlers {
  /** `traceparent`: the relay's trace context for the event, when the work that wrote it was traced. */
  onEvent(id: bigint, event: HypernodeEvent | undefined, traceparent?: string): void;
  onReposition(at: Reposition): void;
  /** Called once when reading starts failing (not on every retry). */
  onError(error: Error): void;
  /** Called once when reading works again after onError. */
  onRecovered(): void;
}

/** Tuning of the follower. */
export interface FeedOptions {
  /** XREAD BLOCK time; the epoch is checked at least this often. */
  blockMs: number;
  /** Entries per XREAD / XRANGE page. */
  pageSize: number;
}

const idOf = (entryId: string): bigint | undefined => {
  const head = entryId.split('-')[0]!;
  return /^\d{1,19}$/.test(head) ? BigInt(head) : undefined;
};

function parseEntries(entries: Array<[string, string[]]>): StreamEntry[] {
  const out: StreamEntry[] = [];
  for (const [entryId, fields] of entries) {
    const id = idOf(entryId);
    if (id === undefined) continue;
    const at = fields.indexOf('event');
    let event: HypernodeEvent | undefined;
    try {
      event = at >= 0 ? (JSON.parse(fields[at + 1]!) as HypernodeEvent) : undefined;
    } catch {
      event = undefined; // an unreadable entry still moves the position, so it is not re-read forever
    }
    const tp = fields.indexOf('traceparent');
    out.push(tp >= 0 && typeof fields[tp + 1] === 'string' ? { id, event, traceparent: fields[tp + 1] } : { id, event });
  }
  return out;
}

function backlogFrom(info: unknown): Backlog {
  if (!Array.isArray(info)) return { oldestId: undefined, lastId: 0n, removed: false };
  const field = (name: string) => info[info.indexOf(name) + 1] as unknown;
  const first = field('first-entry') as [string, string[]] | null | undefined;
  const last = field('last-generated-id');
  const added = field('entries-added');
  return {
    oldestId: first ? idOf(first[0]) : undefined,
    lastId: (typeof last === 'string' ? idOf(last) : undefined) ?? 0n,
    // Redis before 7 does not count added entries: then assume some were removed (a needless reset at worst).
    removed: added === undefined || Number(added) > Number(field('length') ?? 0),
  };
}

/**
 * True when events after `afterId` may have been trimmed away, so a resume from it cannot be
 * exact. Trimming removes the oldest entries, so that happened exactly when something was removed
 * and the oldest kept entry lies beyond afterId + 1 (id gaps from rolled-back transactions ask
 * for a needless reset, never a missed one).
 */
export function isTrimmedAfter(afterId: bigint, backlog: Backlog): boolean {
  if (!backlog.removed) return false;
  return backlog.oldestId === undefined ? afterId < backlog.lastId : afterId + 1n < backlog.oldestId;
}

/**
 * Reads the api's event stream. `run` follows it live on its own (blocking) connection, so every
 * realtime instance sees every event, and watches the epoch key so that a re-seeded, reset or
 * lost stream is noticed; `page` and `backlog` serve replays on the commands connection.
 */
export class EventFeed {
  /** The stream's epoch as last read; undefined until the follower first reached Redis. */
  epoch: string | null | undefined;
  /** Id of the last entry dispatched (or the position taken); undefined until first reached. */
  position: bigint | undefined;
  private stopped = false;
  private wake: () => void = () => undefined;
  private readonly stopping = new Promise<void>((resolve) => (this.wake = resolve));

  constructor(
    private readonly reader: Redis,
    private readonly commands: Redis,
    private readonly keys: { stream: string; epoch: string },
    private readonly options: FeedOptions,
  ) {}

  /** Follows the stream until stop(), reporting events in order and every re-positioning. */
  async run(handlers: FeedHandlers): Promise<void> {
    let lastCheck = Number.NEGATIVE_INFINITY;
    let failing = false;
    let delay = 100;
    while (!this.stopped) {
      try {
        if (this.position === undefined || Date.now() - lastCheck >= this.options.blockMs) {
          await this.check(handlers);
          lastCheck = Date.now();
        }
        if (this.stopped) return;
        const cursor = this.position!;
        const result = (await this.reader.xread('COUNT', this.options.pageSize, 'BLOCK', this.options.blockMs, 'STREAMS', this.keys.stream, `${cursor}-0`)) as Array<[string, Array<[string, string[]]>]> | null;
        if (this.stopped) return;
        // Both connections answered: say so once (not on every retry of a flapping one).
        delay = 100;
        if (failing) {
          failing = false;
          handlers.onRecovered();
        }
        // Nothing new (or the reader gave up on a silent connection): look at the epoch and the stream's top now.
        if (!result) lastCheck = Number.NEGATIVE_INFINITY;
        // A batch read across a re-seed (the relay swaps the stream and the epoch in one MULTI) holds
        // the new epoch's replay window, not live events: re-position instead of sending it on.
        else if ((await this.commands.get(this.keys.epoch)) !== this.epoch) {
          await this.check(handlers);
          lastCheck = Date.now();
          continue;
        }
        for (const [, entries] of result ?? []) {
          for (const { id, event, traceparent } of parseEntries(entries)) {
            if (this.position === undefined || id <= this.position) continue;
            this.position = id;
            handlers.onEvent(id, event, traceparent);
          }
        }
      } catch (error) {
        if (this.stopped) return;
        if (!failing) {
          failing = true;
          handlers.onError(error as Error);
        }
        lastCheck = Number.NEGATIVE_INFINITY;
        await this.sleep(delay);
        delay = Math.min(delay * 2, 2000);
      }
    }
  }

  /** Reads the epoch and the stream's top in one round trip; re-positions when either says so. */
  private async check(handlers: FeedHandlers): Promise<void> {
    const results = await this.commands.pipeline().get(this.keys.epoch).call('XINFO', 'STREAM', this.keys.stream).exec();
    if (!results) throw new Error('Redis pipeline was aborted');
    const [[epochError, epoch], [infoError, info]] = results as [[Error | null, string | null], [Error | null, unknown]];
    if (epochError) throw epochError;
    if (infoError && !/no such key/i.test(infoError.message)) throw infoError;
    const backlog = backlogFrom(infoError ? null : info);
    const at = (reason: Reposition['reason']) => {
      this.epoch = epoch;
      this.position = backlog.lastId;
      handlers.onReposition({ reason, epoch, id: backlog.lastId, oldestId: backlog.oldestId });
    };
    if (this.position === undefined) at('start');
    else if (epoch !== this.epoch) at('epoch_changed');
    else if (backlog.lastId < this.position) at('stream_reset');
  }

  /** Up to `count` entries after `afterId`, oldest first. */
  async page(afterId: bigint, count: number): Promise<StreamEntry[]> {
    const entries = (await this.commands.xrange(this.keys.stream, `${afterId + 1n}-0`, '+', 'COUNT', count)) as Array<[string, string[]]>;
    return parseEntries(entries);
  }

  /** The stream's oldest kept id, highest added id and whether anything was trimmed. */
  async backlog(): Promise<Backlog> {
    try {
      return backlogFrom(await this.commands.call('XINFO', 'STREAM', this.keys.stream));
    } catch (error) {
      if (/no such key/i.test((error as Error).message)) return backlogFrom(null);
      throw error;
    }
  }

  /** Stops run() at its next step; the caller disconnects the connections. */
  stop(): void {
    this.stopped = true;
    this.wake();
  }

  private sleep(ms: number): Promise<void> {
    return Promise.race([new Promise<void>((r) => setTimeout(r, ms).unref()), this.stopping]);
  }
}

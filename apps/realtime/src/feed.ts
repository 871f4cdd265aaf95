import type { Redis } from 'ioredis';
import type { HypernodeEvent } from '@hypernode/events';

/** Stream entry id of an event: `<event id>-0` (set by the api's relay). */
const idOf = (entryId: string) => BigInt(entryId.split('-')[0]!);

function parseEntries(entries: Array<[string, string[]]>): HypernodeEvent[] {
  const events: HypernodeEvent[] = [];
  for (const [, fields] of entries) {
    const at = fields.indexOf('event');
    if (at >= 0) events.push(JSON.parse(fields[at + 1]!) as HypernodeEvent);
  }
  return events;
}

/** What a resuming client is owed. */
export interface Replay {
  events: HypernodeEvent[];
  /** True when events after the client's last id were trimmed from the backlog. */
  truncated: boolean;
  oldestEventId: string | null;
}

/**
 * Reads the api's event stream. `run` follows it live on its own (blocking) connection, so
 * every realtime instance sees every event; `replay` reads the backlog on a second one.
 */
export class EventFeed {
  private stopped = false;

  constructor(
    private readonly reader: Redis,
    private readonly commands: Redis,
    private readonly key: string,
  ) {}

  /** Follows the stream from its current end, calling `onEvent` in order, until stop(). */
  async run(onEvent: (event: HypernodeEvent) => void, onError: (error: Error) => void): Promise<void> {
    const last = await this.commands.xrevrange(this.key, '+', '-', 'COUNT', 1);
    let cursor = last[0]?.[0] ?? '0-0';
    while (!this.stopped) {
      try {
        const result = (await this.reader.xread('COUNT', 500, 'BLOCK', 2000, 'STREAMS', this.key, cursor)) as Array<[string, Array<[string, string[]]>]> | null;
        for (const [, entries] of result ?? []) {
          for (const event of parseEntries(entries)) onEvent(event);
          cursor = entries.at(-1)?.[0] ?? cursor;
        }
      } catch (error) {
        if (this.stopped) return;
        onError(error as Error);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  /** Events after `afterId`, and whether some of them were already trimmed away. */
  async replay(afterId: bigint): Promise<Replay> {
    const entries = (await this.commands.xrange(this.key, `${afterId + 1n}-0`, '+')) as Array<[string, string[]]>;
    const info = (await this.commands.call('XINFO', 'STREAM', this.key).catch(() => null)) as unknown[] | null;
    const field = (name: string) => (info ? info[info.indexOf(name) + 1] : undefined);
    const first = field('first-entry') as [string, string[]] | null | undefined;
    const firstId = first ? idOf(first[0]) : undefined;
    // Trimming removes the oldest entries, so an event after `afterId` was lost exactly when
    // something was removed and the oldest kept entry lies beyond afterId + 1. (Event ids can
    // have gaps from rolled-back transactions: then a reset is asked for needlessly, never missed.)
    const removed = Number(field('entries-added') ?? 0) > Number(field('length') ?? 0);
    const lastId = typeof field('last-generated-id') === 'string' ? idOf(field('last-generated-id') as string) : 0n;
    const truncated = removed && (firstId === undefined ? afterId < lastId : afterId + 1n < firstId);
    return { events: parseEntries(entries), truncated, oldestEventId: firstId === undefined ? null : String(firstId) };
  }

  /** Stops run(); the caller disconnects the connections. */
  stop(): void {
    this.stopped = true;
  }
}

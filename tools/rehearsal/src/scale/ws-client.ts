import WebSocket from 'ws';

/**
 * A resuming client on the `deployments` topic, as a browser tab runs it: on any close it
 * reconnects (through the proxy, so to whichever realtime instance answers) with the highest
 * event id it has and the stream epoch from `hello`. The same protocol as apps/faults' client
 * (a tool may not import an e2e project, and this one also counts how its connections ended).
 */
export interface ScaleWsClient {
  /** Event ids since the last `reset`, in arrival order. */
  ids: string[];
  resets: number;
  connects: number;
  /** `subscribed` answers received (one per connection that got as far). */
  subscribed: number;
  /** Connections that ended while the client still wanted them (an instance died, the proxy dropped it). */
  drops: number;
  lastEventId: string | undefined;
  stop(): void;
}

interface Frame {
  type?: string;
  epoch?: string;
  event?: { id: string };
}

export function startScaleWsClient(url: string, key: string, retryMs = 200): ScaleWsClient {
  let epoch: string | undefined;
  let stopped = false;
  let socket: WebSocket | undefined;
  let retry: NodeJS.Timeout | undefined;
  const client: ScaleWsClient = {
    ids: [],
    resets: 0,
    connects: 0,
    subscribed: 0,
    drops: 0,
    lastEventId: undefined,
    stop: () => {
      stopped = true;
      clearTimeout(retry);
      socket?.terminate();
    },
  };
  const connect = () => {
    if (stopped) return;
    const ws = new WebSocket(url, ['hypernode.v1', `hypernode.bearer.${key}`], { handshakeTimeout: 3000 });
    socket = ws;
    ws.on('error', () => undefined);
    ws.on('open', () => (client.connects += 1));
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      if (frame.type === 'hello') {
        const helloEpoch = frame.epoch;
        epoch ??= helloEpoch;
        const subscribe: Record<string, unknown> = { type: 'subscribe', topics: ['deployments'] };
        if (client.lastEventId !== undefined) subscribe.lastEventId = client.lastEventId;
        if (epoch !== undefined) subscribe.epoch = epoch;
        ws.send(JSON.stringify(subscribe));
      } else if (frame.type === 'event' && frame.event) {
        client.ids.push(frame.event.id);
        client.lastEventId = frame.event.id;
      } else if (frame.type === 'subscribed') {
        client.subscribed += 1;
      } else if (frame.type === 'reset') {
        client.resets += 1;
        client.ids = [];
        epoch = frame.epoch;
      }
    });
    ws.on('close', () => {
      if (stopped) return;
      client.drops += 1;
      retry = setTimeout(connect, retryMs);
    });
  };
  connect();
  return client;
}

/** Loss and duplication per client against the ids every client is owed (after a reset: only those after it). */
export function clientFigures(clients: ScaleWsClient[], expected: string[]): { lost: number; clientsWithLoss: number; duplicated: number; resets: number; reconnected: number } {
  let lost = 0;
  let clientsWithLoss = 0;
  let duplicated = 0;
  let resets = 0;
  for (const c of clients) {
    const seen = new Set<string>();
    for (const id of c.ids) {
      if (seen.has(id)) duplicated += 1;
      else seen.add(id);
    }
    resets += c.resets;
    const since = c.resets > 0 ? c.ids[0] : undefined;
    const owed = c.resets === 0 ? expected : since === undefined ? [] : expected.filter((id) => BigInt(id) >= BigInt(since));
    const missing = owed.filter((id) => !seen.has(id)).length;
    lost += missing;
    if (missing > 0) clientsWithLoss += 1;
  }
  return { lost, clientsWithLoss, duplicated, resets, reconnected: clients.filter((c) => c.connects > 1).length };
}

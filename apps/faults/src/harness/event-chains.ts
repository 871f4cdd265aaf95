import type pg from 'pg';

/** One deployment whose events do not tell its story exactly. */
export interface BrokenChain {
  id: string;
  /** What is wrong, e.g. `event 3 from=queued, previous status running`. */
  why: string;
}

/** Result of checking every deployment's events against its row. */
export interface ChainCheck {
  deployments: number;
  events: number;
  broken: BrokenChain[];
}

/**
 * No lost transition: for every deployment, its `deployment.*` events in id order start with
 * `deployment.created`, each `deployment.updated` names as `from` the status of the event
 * before it, and the last event's status is the row's status.
 */
export async function checkEventChains(pool: pg.Pool): Promise<ChainCheck> {
  // Ordered by the event id (e.id): an output column named `id` would win over it.
  const events = await pool.query<{ type: string; deployment: string; from: string | null; status: string }>(
    `SELECT e.type, e.data->'deployment'->>'id' AS deployment, e.data->>'from' AS "from", e.data->'deployment'->>'status' AS status
       FROM events e WHERE e.type LIKE 'deployment.%' ORDER BY e.id`,
  );
  const chains = new Map<string, Array<{ type: string; from: string | null; status: string }>>();
  for (const e of events.rows) {
    const chain = chains.get(e.deployment) ?? [];
    chain.push(e);
    chains.set(e.deployment, chain);
  }
  const rows = await pool.query<{ id: string; status: string }>('SELECT id::text AS id, status FROM deployments');
  const broken: BrokenChain[] = [];
  for (const { id, status } of rows.rows) {
    const chain = chains.get(id) ?? [];
    const why = chainFault(chain, status);
    if (why) broken.push({ id, why });
  }
  return { deployments: rows.rows.length, events: events.rows.length, broken };
}

function chainFault(chain: Array<{ type: string; from: string | null; status: string }>, rowStatus: string): string | undefined {
  if (chain.length === 0) return 'no events';
  if (chain[0]!.type !== 'deployment.created') return `first event is ${chain[0]!.type}`;
  for (let k = 1; k < chain.length; k++) {
    if (chain[k]!.from !== chain[k - 1]!.status) return `event ${k} from=${chain[k]!.from}, previous status ${chain[k - 1]!.status}`;
  }
  if (chain.at(-1)!.status !== rowStatus) return `last event status ${chain.at(-1)!.status}, row ${rowStatus}`;
  return undefined;
}

import type { LoadSample } from './load.js';

/** What became of a load's creates: compared with the rows stored (read on the server, past the proxies). */
export interface CreateOutcomes {
  acked: number;
  rows: number;
  /** Acknowledged (201) but not stored: lost. */
  lost: string[];
  /** Stored more than once. */
  twice: string[];
  /** Stored without a 201 (the client saw an error or a timeout). */
  unacked: string[];
  /** Of `unacked`: sent once the link was already dark (or never sent at all): it cannot have reached the database. */
  unexplained: string[];
}

/**
 * Matches each create (keyed by its model name) with the rows stored. A stored create without
 * its 201 is allowed only when it was sent before `darkAt` (the moment the link to the database
 * went dark): its COMMIT got through and the answer was lost with the link — the one outcome no
 * client of a database can learn.
 */
export function createOutcomes(creates: ReadonlyMap<string, LoadSample>, stored: ReadonlyArray<{ model: string; n: number }>, darkAt: number): CreateOutcomes {
  const acked = new Set([...creates].filter(([, s]) => s.status === 201).map(([model]) => model));
  const storedModels = new Set(stored.map((r) => r.model));
  const unacked = stored.filter((r) => !acked.has(r.model)).map((r) => r.model);
  return {
    acked: acked.size,
    rows: stored.reduce((sum, r) => sum + r.n, 0),
    lost: [...acked].filter((m) => !storedModels.has(m)),
    twice: stored.filter((r) => r.n > 1).map((r) => r.model),
    unacked,
    unexplained: unacked.filter((m) => {
      const sample = creates.get(m);
      return !sample || sample.sentAt >= darkAt;
    }),
  };
}

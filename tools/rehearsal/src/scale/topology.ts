/** The Node apps the scale rehearsal replicates (the frontends are not part of it). */
export const SCALED_APPS = ['api', 'realtime', 'automation', 'gpu-worker'] as const;
export type ScaledApp = (typeof SCALED_APPS)[number];

export type ScaleSize = 'small' | 'full';
export const SIZES: readonly ScaleSize[] = ['small', 'full'];

/** How big one run is. */
export interface Topology {
  /** Instances per app (each its own process on its own spare port). */
  instances: Record<ScaledApp, number>;
  /** Deployments of the main run (with the kills). */
  deployments: number;
  /** Deployments of each throughput batch (1-of-each, then the scaled set). */
  batch: number;
  /** WebSocket clients, through the proxy, spread over the realtime instances. */
  clients: number;
  /** Concurrent POST /deployments of the main run. */
  concurrency: number;
  /** Simulated GPU job length. */
  jobMs: number;
  /** Bound on the drain after the last POST. */
  drainMs: number;
}

/** The size (full) and the one `npm test` runs (small); both kill one instance of each kind. */
export const TOPOLOGIES: Readonly<Record<ScaleSize, Topology>> = {
  small: { instances: { api: 2, realtime: 2, automation: 2, 'gpu-worker': 3 }, deployments: 100, batch: 12, clients: 20, concurrency: 4, jobMs: 150, drainMs: 60_000 },
  full: { instances: { api: 3, realtime: 2, automation: 2, 'gpu-worker': 4 }, deployments: 1000, batch: 60, clients: 200, concurrency: 8, jobMs: 300, drainMs: 600_000 },
};

/** Instance labels: `api-1`, `api-2`, … */
export const label = (app: ScaledApp, i: number) => `${app}-${i}`;

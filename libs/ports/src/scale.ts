import { APP_KINDS, type Kind } from './kinds.js';
import type { RegistryProblem } from './errors.js';
import type { ScaleSpec, ServiceEntry } from './schema.js';

/** The profiles a cluster runs (development is one machine: `npm start`). */
export const CLUSTER_PROFILES = ['staging', 'production'] as const;
export type ClusterProfile = (typeof CLUSTER_PROFILES)[number];

/** What an app without a `scale` entry gets: one small replica that may not be copied. */
export const DEFAULT_SCALE: ScaleSpec = {
  canScale: false,
  replicas: { staging: [1, 1], production: [1, 1] },
  requests: { cpu: '100m', memory: '128Mi' },
  memoryLimit: '256Mi',
};

/** The entry's scale, or DEFAULT_SCALE for an app that does not say. */
export function scaleOf(entry: Pick<ServiceEntry, 'scale'>): ScaleSpec {
  return entry.scale ?? DEFAULT_SCALE;
}

/** `128Mi` / `1Gi` in MiB. */
export function mebibytes(quantity: string): number {
  const match = /^(\d+)(Mi|Gi)$/.exec(quantity);
  if (!match) throw new Error(`"${quantity}" is not a memory quantity in Mi or Gi`);
  return Number(match[1]) * (match[2] === 'Gi' ? 1024 : 1);
}

/**
 * Rules across the fields of one entry's `scale` (its shape is checked by the schema): only
 * apps scale (PostgreSQL and Redis are managed services or the dev overlay's StatefulSets);
 * min ≤ max per profile; an app that cannot scale runs exactly one replica; the memory limit
 * is at least the request.
 */
export function scaleProblems(raw: Record<string, unknown>, at: string): RegistryProblem[] {
  const scale = raw.scale as ScaleSpec | undefined;
  if (scale === undefined || typeof scale !== 'object' || scale === null) return [];
  const label = typeof raw.name === 'string' ? raw.name : at;
  const problems: RegistryProblem[] = [];
  if (typeof raw.kind === 'string' && !APP_KINDS.includes(raw.kind as Kind)) {
    problems.push({ path: `${at}.scale`, message: `"${label}" is ${raw.kind}, not an app: only apps have replicas (remove "scale"; the cluster reaches ${label} as an external service)` });
    return problems;
  }
  for (const profile of CLUSTER_PROFILES) {
    const range = scale.replicas?.[profile];
    if (!Array.isArray(range) || typeof range[0] !== 'number' || typeof range[1] !== 'number') continue;
    const [min, max] = range;
    if (min > max) problems.push({ path: `${at}.scale.replicas.${profile}`, message: `replica range [${min}, ${max}] of "${label}" has min above max: write [${max}, ${min}]` });
    if (scale.canScale === false && max !== 1) problems.push({ path: `${at}.scale.replicas.${profile}`, message: `"${label}" has canScale false but up to ${max} ${profile} replicas: set canScale true (and say how its singleton duties stay safe) or use [1, 1]` });
  }
  const request = scale.requests?.memory;
  const limit = scale.memoryLimit;
  if (typeof request === 'string' && typeof limit === 'string' && /^\d+(Mi|Gi)$/.test(request) && /^\d+(Mi|Gi)$/.test(limit) && mebibytes(limit) < mebibytes(request)) {
    problems.push({ path: `${at}.scale.memoryLimit`, message: `memoryLimit ${limit} of "${label}" is below its memory request ${request}: raise the limit to at least ${request}` });
  }
  return problems;
}

/** Share of a replica's memory limit its V8 heap may take; the rest is code, buffers, sockets and the young generation. */
export const HEAP_SHARE_OF_LIMIT = 0.6;

/**
 * The Node flags a production replica of an app runs with (Dockerfile CMD, the rehearsal, the
 * benchmark): the old-generation cap at HEAP_SHARE_OF_LIMIT of its memory limit. Without it,
 * on a host with many GiB (the rehearsal, a VM without a cgroup limit) V8 sizes the heap from
 * the whole machine and lets it grow up to 4× the live data between full collections — the api
 * held 207 MB under load with 30 MB live; with a cap under 256 MB V8 grows it by at most 1.3×.
 */
export function nodeFlags(entry: Pick<ServiceEntry, 'scale'>): string[] {
  return [`--max-old-space-size=${Math.floor(mebibytes(scaleOf(entry).memoryLimit) * HEAP_SHARE_OF_LIMIT)}`];
}

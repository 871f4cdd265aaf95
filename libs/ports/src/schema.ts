// zod/mini, not zod: the same validator, but it loads in a few ms instead of ~60 ms, and
// every `hypernode` command and service start reads the registry.
import * as z from 'zod/mini';
import { HEALTH_TYPES, KINDS } from './kinds.js';

/** Service names double as Nx project names and env-var prefixes (`llm-deployer` → `LLM_DEPLOYER_PORT`). */
export const SERVICE_NAME_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

const health = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('http'), path: z.string().check(z.startsWith('/', 'must start with "/"')) }),
    z.strictObject({ type: z.literal('postgres') }),
    z.strictObject({ type: z.literal('redis') }),
    z.strictObject({ type: z.literal('solana') }),
  ],
  { error: `unknown health type: expected one of ${HEALTH_TYPES.join(', ')}` },
);

/** A replica range `[min, max]`. */
const replicaRange = z.tuple([z.int().check(z.minimum(1, 'at least 1 replica')), z.int().check(z.maximum(100, 'at most 100 replicas'))]);

/** Kubernetes quantities: CPU in cores or millicores (`250m`, `0.5`, `1`), memory in Mi or Gi (`128Mi`). */
export const CPU_QUANTITY = /^(\d+m|\d+(\.\d+)?)$/;
export const MEMORY_QUANTITY = /^\d+(Mi|Gi)$/;

/**
 * How an app runs as several copies: whether it may (`canScale`), its replica range per
 * deployed profile, and what one replica asks the scheduler for (and may use at most).
 * Cross-field rules (min ≤ max, one replica unless it can scale) live in scale.ts.
 */
export const scaleSchema = z.strictObject({
  canScale: z.boolean(),
  replicas: z.strictObject({ staging: replicaRange, production: replicaRange }),
  requests: z.strictObject({
    cpu: z.string().check(z.regex(CPU_QUANTITY, 'cpu must be cores or millicores, e.g. "100m" or "0.5"')),
    memory: z.string().check(z.regex(MEMORY_QUANTITY, 'memory must be Mi or Gi, e.g. "128Mi"')),
  }),
  memoryLimit: z.string().check(z.regex(MEMORY_QUANTITY, 'memoryLimit must be Mi or Gi, e.g. "256Mi"')),
});

/** Shape of one registry entry; cross-entry rules (duplicates, ranges) live in validate.ts. */
export const serviceEntrySchema = z.strictObject({
  name: z
    .string()
    .check(
      z.maxLength(40, 'name is longer than 40 characters'),
      z.regex(SERVICE_NAME_PATTERN, 'bad name: use lower-case letters, digits and single dashes, starting with a letter (e.g. "gpu-worker")'),
    ),
  port: z.int({ error: (iss) => (typeof iss.input === 'number' ? 'port must be a whole number' : undefined) }),
  kind: z.enum(KINDS, { error: (iss) => `unknown kind ${JSON.stringify(iss.input)}: expected one of ${KINDS.join(', ')}` }),
  purpose: z.string().check(z.minLength(1, 'purpose is empty: say in a few words what the service is')),
  health,
  required: z.boolean(),
  /** Path prefix the reverse proxy routes to this service (`/api/`); frontends at `/` or their own host. */
  route: z.optional(z.string().check(z.regex(/^\/([a-z0-9-]+\/)?$/, 'route must be "/" or one path segment like "/api/"'))),
  /** Apps only: replicas and resources in a cluster (deploy/k8s); an app without it runs one small replica. */
  scale: z.optional(scaleSchema),
});

/** The whole registry file. */
export const registryFileSchema = z.object({
  $comment: z.optional(z.string()),
  services: z.array(z.unknown()).check(z.minLength(1, 'the registry lists no services')),
});

/** One validated registry entry. */
export type ServiceEntry = z.infer<typeof serviceEntrySchema>;
/** How one service's health is checked. */
export type HealthSpec = ServiceEntry['health'];
/** How one app scales. */
export type ScaleSpec = z.infer<typeof scaleSchema>;

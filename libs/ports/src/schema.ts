import { z } from 'zod';
import { HEALTH_TYPES, KINDS } from './kinds.js';

/** Service names double as Nx project names and env-var prefixes (`llm-deployer` → `LLM_DEPLOYER_PORT`). */
export const SERVICE_NAME_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

const health = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('http'), path: z.string().startsWith('/', 'must start with "/"') }).strict(),
    z.object({ type: z.literal('postgres') }).strict(),
    z.object({ type: z.literal('redis') }).strict(),
    z.object({ type: z.literal('solana') }).strict(),
  ],
  { error: `unknown health type: expected one of ${HEALTH_TYPES.join(', ')}` },
);

/** Shape of one registry entry; cross-entry rules (duplicates, ranges) live in validate.ts. */
export const serviceEntrySchema = z
  .object({
    name: z
      .string()
      .max(40, 'name is longer than 40 characters')
      .regex(SERVICE_NAME_PATTERN, 'bad name: use lower-case letters, digits and single dashes, starting with a letter (e.g. "gpu-worker")'),
    port: z.number().int('port must be a whole number'),
    kind: z.enum(KINDS, { error: (iss) => `unknown kind ${JSON.stringify(iss.input)}: expected one of ${KINDS.join(', ')}` }),
    purpose: z.string().min(1, 'purpose is empty: say in a few words what the service is'),
    health,
    required: z.boolean(),
  })
  .strict();

/** The whole registry file. */
export const registryFileSchema = z.object({
  $comment: z.string().optional(),
  services: z.array(z.unknown()).min(1, 'the registry lists no services'),
});

/** One validated registry entry. */
export type ServiceEntry = z.infer<typeof serviceEntrySchema>;
/** How one service's health is checked. */
export type HealthSpec = ServiceEntry['health'];

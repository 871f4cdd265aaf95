import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Pool } from 'pg';
import { SCOPES } from '@hypernode/auth';
import { Nullable } from '@hypernode/events';
import { createApiKey, createJoinToken, listApiKeys, revokeApiKey } from '@hypernode/store';
import { errorBody, ErrorSchema } from '../plugins/errors.js';
import type { KeyLookup } from '../plugins/key-lookup.js';
import { IdParams, NAME_PATTERN } from './deployments.js';

const Scopes = Type.Array(Type.Enum(SCOPES), { minItems: 1, maxItems: SCOPES.length, uniqueItems: true });
const When = Type.String({ format: 'date-time' });
const KeyInfo = Type.Object({ id: Type.String({ format: 'uuid' }), name: Type.String(), scopes: Scopes, createdAt: When, lastUsedAt: Nullable(When), expiresAt: Nullable(When), revokedAt: Nullable(When) });

/** API keys and join tokens: `admin` only. A new secret is in the 201 answer and nowhere else, ever. */
export const keysRoutes: FastifyPluginAsyncTypebox<{ pool: Pool; keys?: KeyLookup }> = async (app, { pool, keys }) => {
  app.post(
    '/keys',
    {
      config: { auth: 'admin' },
      schema: {
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100, pattern: NAME_PATTERN }),
            scopes: Scopes,
            expiresInS: Type.Optional(Type.Integer({ minimum: 60, maximum: 10 * 365 * 24 * 3600, description: 'Seconds until it stops working; never when omitted' })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ id: Type.String({ format: 'uuid' }), key: Type.String({ description: 'hn_…, shown this once' }), name: Type.String(), scopes: Scopes, expiresAt: Nullable(When) }) },
      },
    },
    async (request, reply) => {
      const { name, scopes, expiresInS } = request.body;
      return reply.code(201).send(await createApiKey(pool, { name, scopes, expiresAt: expiresInS === undefined ? undefined : new Date(Date.now() + expiresInS * 1000) }));
    },
  );

  app.get('/keys', { config: { auth: 'admin' }, schema: { response: { 200: Type.Object({ items: Type.Array(KeyInfo) }) } } }, async () => ({ items: await listApiKeys(pool) }));

  app.post('/keys/:id/revoke', { config: { auth: 'admin' }, schema: { params: IdParams, response: { 204: Type.Null(), 404: ErrorSchema } } }, async (request, reply) => {
    if (await revokeApiKey(pool, request.params.id)) {
      // Every api instance stops accepting it now, not when its cached answer runs out.
      await keys?.revoked(request.params.id);
      return reply.code(204).send(null);
    }
    return reply.code(404).send(errorBody(404, `no active API key ${request.params.id}: \`npx hypernode keys list\` shows them`));
  });

  app.post(
    '/join-tokens',
    {
      config: { auth: 'admin' },
      schema: {
        body: Type.Object(
          {
            uses: Type.Integer({ minimum: 1, maximum: 10_000, description: 'How many nodes may register with it' }),
            expiresInS: Type.Integer({ minimum: 60, maximum: 365 * 24 * 3600, description: 'Seconds until it stops working' }),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ id: Type.String({ format: 'uuid' }), token: Type.String({ description: 'hnj_…, shown this once' }), expiresAt: When }) },
      },
    },
    async (request, reply) => reply.code(201).send(await createJoinToken(pool, { uses: request.body.uses, ttlS: request.body.expiresInS })),
  );
};

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Pool } from 'pg';
import { SCOPES } from '@hypernode/auth';
import { revokeSession, signInWithKey, signInWithToken } from '@hypernode/store';
import { unauthorized } from '../plugins/auth.js';
import { errorBody, ErrorSchema } from '../plugins/errors.js';
import { identify, SESSION_COOKIE, unauthorizedMessage } from '../plugins/identify.js';
import type { KeyLookup } from '../plugins/key-lookup.js';

/** A principal as `/auth/me` and sign-in answer it. */
export const PrincipalSchema = Type.Object({
  kind: Type.Union([Type.Literal('key'), Type.Literal('session'), Type.Literal('node')]),
  id: Type.String({ format: 'uuid' }),
  scopes: Type.Array(Type.Enum(SCOPES)),
  nodeId: Type.Optional(Type.String({ format: 'uuid' })),
  name: Type.Optional(Type.String()),
});
const PrincipalBody = Type.Object({ principal: PrincipalSchema });
const Secret = (prefix: string) => Type.String({ minLength: 1, maxLength: 200, description: `${prefix}…` });

function setSessionCookie(request: FastifyRequest, reply: FastifyReply, session: string, expiresAt: string): void {
  reply.setCookie(SESSION_COOKIE, session, { httpOnly: true, sameSite: 'lax', path: '/', secure: request.protocol === 'https', expires: new Date(expiresAt) });
}

/**
 * Who am I (`GET /auth/me`: realtime and automation forward their client's Cookie and
 * Authorization here), sign-in with a one-time token or a pasted key (sets the HttpOnly
 * session cookie), and sign-out (ends the session, clears the cookie).
 */
export const authRoutes: FastifyPluginAsyncTypebox<{ pool: Pool; corsOrigins: readonly string[]; keys?: KeyLookup }> = async (app, { pool, corsOrigins, keys }) => {
  // Public so that every kind of credential — node ones too — gets its principal; 401 when none resolves.
  app.get('/auth/me', { config: { auth: 'public' }, schema: { response: { 200: PrincipalBody, 401: ErrorSchema } } }, async (request, reply) => {
    const identity = await identify(pool, request, keys);
    return identity.principal ? { principal: identity.principal } : unauthorized(reply, unauthorizedMessage(identity));
  });

  app.post(
    '/auth/sign-in',
    {
      config: { auth: 'public' },
      schema: {
        body: Type.Union([Type.Object({ token: Secret('hnt_') }, { additionalProperties: false }), Type.Object({ key: Secret('hn_') }, { additionalProperties: false })]),
        response: { 200: PrincipalBody, 401: ErrorSchema, 403: ErrorSchema },
      },
    },
    async (request, reply) => {
      // Login CSRF: a browser on another site must not sign its visitor in as someone else.
      const origin = request.headers.origin;
      if (origin !== undefined && !corsOrigins.includes(origin)) return reply.code(403).send(errorBody(403, `sign-in refused from Origin ${JSON.stringify(origin)}: sign in from one of the frontends (${corsOrigins.join(', ')})`));
      const body = request.body;
      const opened = 'token' in body ? await signInWithToken(pool, body.token) : await signInWithKey(pool, body.key);
      if ('reason' in opened) {
        const what = 'token' in body ? `sign-in token is ${opened.reason === 'revoked' ? 'already used' : opened.reason}: run \`npm start\` again for a new sign-in URL, or paste an API key` : `API key is ${opened.reason}: paste a valid key (\`npx hypernode keys create\`)`;
        return unauthorized(reply, `the ${what}`);
      }
      setSessionCookie(request, reply, opened.session, opened.expiresAt);
      return { principal: opened.principal };
    },
  );

  app.post('/auth/sign-out', { config: { auth: 'read' }, schema: { response: { 204: Type.Null() } } }, async (request, reply) => {
    if (request.principal?.kind === 'session') await revokeSession(pool, request.principal.id);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(204).send(null);
  });
};

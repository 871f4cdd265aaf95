import cookie from '@fastify/cookie';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { Pool } from 'pg';
import { hasScope, type Principal, type Scope } from '@hypernode/auth';
import { isProbe } from '@hypernode/service-kit';
import { checkJoinToken } from '@hypernode/store';
import { errorBody } from './errors.js';
import { bearerOf, identify, unauthorizedMessage, type Identity } from './identify.js';
import type { KeyLookup } from './key-lookup.js';

/** Who may call a route: anyone, a key or session with a scope, or a GPU node's own credential. */
export const AUTH_DECISIONS = ['public', 'read', 'deploy', 'admin', 'node'] as const;
/** One route's auth decision (`config.auth`). */
export type AuthDecision = (typeof AUTH_DECISIONS)[number];

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call this route; every route must say (buildApp throws otherwise). */
    auth?: AuthDecision;
    /** For `auth: 'node'`: what the `:id` path parameter names, which must be the caller's node or assigned to it. */
    owner?: 'node' | 'deployment';
    /** `false`: @fastify/cors adds nothing to this route's answers (the health probes: load balancers and supervisors call them, never a browser). */
    cors?: false;
  }
  interface FastifyInstance {
    /** Every route with its auth decision, in the order added (the auth matrix test walks it). */
    routeAuth: RouteAuth[];
  }
  interface FastifyRequest {
    /** Who made the request, once authenticated (undefined on public routes). */
    principal?: Principal;
    /** POST /nodes: the join token the caller registers with. */
    joinToken?: string;
  }
}

/** One route's method, URL and auth decision. */
export interface RouteAuth {
  method: string;
  url: string;
  auth: AuthDecision;
  owner?: 'node' | 'deployment';
}

/** A route was added without an auth decision: a programming error caught when the app is built. */
export class RouteAuthError extends Error {
  readonly code = 'E_ROUTE_AUTH';
  constructor(message: string) {
    super(message);
    this.name = 'RouteAuthError';
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** 401 with `WWW-Authenticate: Bearer`. */
export function unauthorized(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(401).header('www-authenticate', 'Bearer').send(errorBody(401, message));
}

/**
 * Checks every route's decision as it is added (so buildApp throws naming a route without one)
 * and authenticates every request in `onRequest` — before body parsing and validation, so a
 * caller without a credential gets 401, never 400: resolve the credential, count the request
 * against its principal's rate limit (its address when anonymous), then allow, 401 or 403.
 */
export function registerAuth(app: FastifyInstance, deps: { pool: Pool; corsOrigins: readonly string[]; keys?: KeyLookup }): void {
  void app.register(cookie);
  app.decorateRequest('principal', undefined);
  app.decorateRequest('joinToken', undefined);
  const routes: RouteAuth[] = [];
  app.decorate('routeAuth', routes);
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = [route.method].flat();
    // CORS preflights (@fastify/cors' OPTIONS *) never carry credentials, by the Fetch standard.
    if (methods.every((m) => m === 'OPTIONS') && route.config?.auth === undefined) route.config = { ...route.config, auth: 'public' };
    const auth = route.config?.auth;
    const where = `${methods.join(',')} ${route.url}`;
    if (!AUTH_DECISIONS.includes(auth as AuthDecision)) {
      throw new RouteAuthError(`route ${where} has no auth decision (config.auth is ${JSON.stringify(auth)}): add config: { auth: ${AUTH_DECISIONS.map((d) => `'${d}'`).join(' | ')} } to it (apps/api/src/plugins/auth.ts)`);
    }
    // owner 'node' is enforced here (the :id must be the caller's node); owner 'deployment' only
    // says the route itself checks the assignment under the row lock (transitionDeployment's
    // assignedTo, as POST /deployments/:id/progress does): a new route with it must do the same.
    if (auth === 'node' && !route.config?.owner) throw new RouteAuthError(`node route ${where} does not say what its :id names: add config.owner 'node' or 'deployment'`);
    for (const method of methods) routes.push({ method, url: route.url, auth: auth as AuthDecision, owner: route.config?.owner });
  });
  let limit: ((request: FastifyRequest, reply: FastifyReply) => Promise<void>) | undefined;
  const authenticate = async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const decision = request.routeOptions.config?.auth;
    const identity: Identity = decision && decision !== 'public' ? await identify(deps.pool, request, deps.keys) : {};
    request.principal = identity.principal;
    limit ??= app.rateLimit() as unknown as (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
    await limit.call(app, request, reply);
    if (!decision || decision === 'public') return;
    const principal = identity.principal;
    if (!principal) return unauthorized(reply, unauthorizedMessage(identity));
    if (identity.via === 'cookie' && !SAFE_METHODS.has(request.method) && !deps.corsOrigins.includes(request.headers.origin ?? '')) {
      return reply.code(403).send(errorBody(403, `cross-site request refused: a change made with the session cookie must come from one of the frontends (Origin ${JSON.stringify(request.headers.origin ?? null)} is not one of ${deps.corsOrigins.join(', ')}); scripts send Authorization: Bearer hn_… instead`));
    }
    const refusal = decision === 'node' ? nodeRefusal(request, principal) : scopeRefusal(principal, decision);
    if (refusal) return reply.code(403).send(errorBody(403, refusal));
  };
  // A callback hook, so a probe costs no promise: Fastify runs the next step on `done()` exactly as
  // it does when an async hook resolves (and skips the rest once a reply was sent).
  app.addHook('onRequest', (request, reply, done) => {
    // Health probes (GET /health, /ready: public routes) are never rate limited: nothing to resolve
    // or count. Checked first, from the path: `routeOptions` builds an object on every access.
    // Another method there matches no route: it stays rate limited like any unmatched request.
    if ((request.method === 'GET' || request.method === 'HEAD') && isProbe(request)) return done();
    // A rejection goes on as it is (the rate limit throws its 429 body, an object with statusCode, not an
    // Error); a falsy one becomes an Error, as Fastify does for an async hook — `done(false)` would go on.
    authenticate(request, reply).then(
      () => done(),
      (error: unknown) => done((error || new Error('the auth hook failed without a reason')) as FastifyError),
    );
  });
}

function who(principal: Principal): string {
  return `${principal.kind} ${principal.name ? `"${principal.name}"` : principal.id}`;
}

function scopeRefusal(principal: Principal, needed: Scope): string | undefined {
  if (principal.kind === 'node') return `a node credential cannot call this route: it needs the "${needed}" scope of an API key or session`;
  if (hasScope(principal.scopes, needed)) return undefined;
  return `this route needs the "${needed}" scope; the ${who(principal)} has ${principal.scopes.join(', ') || 'none'}: use a key with it (\`npx hypernode keys create --scope ${needed}\`)`;
}

function nodeRefusal(request: FastifyRequest, principal: Principal): string | undefined {
  if (principal.kind !== 'node' || !principal.nodeId) return `only a GPU node's own credential (Bearer hnn_…) may call this route, not a ${principal.kind}`;
  const id = (request.params as { id?: string }).id ?? '';
  if (request.routeOptions.config.owner === 'node') {
    return id.toLowerCase() === principal.nodeId ? undefined : `the credential of ${who(principal)} acts only for node ${principal.nodeId}, not ${id}`;
  }
  // owner 'deployment': the route checks the assignment itself, under the deployment's row lock
  // (transitionDeployment's assignedTo → NotAssignedError → 403 naming the node), which is the
  // check that holds; an unlocked look here first cost every report a query and decided nothing.
  return undefined;
}

/**
 * onRequest of `POST /nodes`: the caller presents a join token (`Bearer hnj_…`, checked here
 * and spent when the node is written) or a node's own credential (`Bearer hnn_…`, to
 * re-register that node); anything else is 401 before the body is looked at.
 */
export function joinTokenOrNodeCredential(pool: Pool) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const bearer = bearerOf(request);
    if (bearer?.startsWith('hnj_')) {
      const check = await checkJoinToken(pool, bearer);
      if (!check.ok) return unauthorized(reply, `the join token is ${check.reason === 'exhausted' ? 'used up' : check.reason}: an admin makes a new one (POST /join-tokens)`);
      request.joinToken = bearer;
      return;
    }
    if (bearer?.startsWith('hnn_')) {
      const identity = await identify(pool, request);
      if (identity.principal?.kind === 'node') {
        request.principal = identity.principal;
        return;
      }
      return unauthorized(reply, unauthorizedMessage(identity));
    }
    return unauthorized(reply, 'registering a node needs Authorization: Bearer hnj_… (a join token: an admin makes one with POST /join-tokens; `npm start` keeps one in .hypernode/join-token)');
  };
}

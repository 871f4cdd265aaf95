import type { Pool } from 'pg';
import type { Principal } from '@hypernode/auth';
import { resolveApiKey, resolveNodeCredential, resolveSession, type Refusal, type Resolution } from './credentials.js';

// Shared by every server that accepts the api's credentials (the api, the `hypernode up`
// supervisor): one code path resolves a bearer key or the session cookie, so both agree on who
// a caller is and why a credential is refused.

/** What identify() reads of a request (a FastifyRequest fits; the session cookie needs @fastify/cookie). */
export interface CredentialRequest {
  headers: { authorization?: string };
  cookies?: Record<string, string | undefined>;
}

/**
 * A credential resolver with a cache (the api's KeyLookup): API keys, and node credentials when
 * it has `resolveNode`; without one, every credential is looked up in PostgreSQL.
 */
export interface KeyResolver {
  resolve(key: string): Promise<Resolution>;
  /** A node credential (`hnn_…`), answered as resolveNodeCredential would. */
  resolveNode?(credential: string): Promise<Resolution>;
}

/** Name of the session cookie (HttpOnly, SameSite=Lax, Path=/, Secure under https). */
export const SESSION_COOKIE = 'hn_session';

/** What a request presented, and who that is. */
export interface Identity {
  principal?: Principal;
  /** Where the credential came from: the Authorization header or the session cookie. */
  via?: 'bearer' | 'cookie';
  /** Why a presented credential was refused (undefined when none was presented or it was good). */
  refused?: { what: string; reason: Refusal | 'malformed' | 'join-token' };
}

// Printable ASCII only: a non-ASCII or absurd header is refused here, before any lookup.
const BEARER = /^Bearer ([\x21-\x7e]{1,200})$/;

/** The bearer token of a request, `null` for a malformed Authorization header, undefined for none. */
export function bearerOf(request: CredentialRequest): string | null | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  return BEARER.exec(header)?.[1] ?? null;
}

/**
 * Resolves the request's credential: `Authorization: Bearer hn_…` (API key) or `hnn_…` (node),
 * else the `hn_session` cookie. A presented Authorization header wins over the cookie, and a
 * bad one is never rescued by it. API keys, and node credentials when `keys` has `resolveNode`,
 * go through `keys` (a short cache) when given; sessions are always looked up.
 */
export async function identify(pool: Pool, request: CredentialRequest, keys?: KeyResolver): Promise<Identity> {
  const bearer = bearerOf(request);
  if (bearer === null) return { via: 'bearer', refused: { what: 'Authorization header', reason: 'malformed' } };
  if (bearer !== undefined) {
    if (bearer.startsWith('hnn_')) return fromResolution('node credential', 'bearer', await (keys?.resolveNode ? keys.resolveNode(bearer) : resolveNodeCredential(pool, bearer)));
    if (bearer.startsWith('hn_')) return fromResolution('API key', 'bearer', await (keys ? keys.resolve(bearer) : resolveApiKey(pool, bearer)));
    if (bearer.startsWith('hnj_')) return { via: 'bearer', refused: { what: 'join token', reason: 'join-token' } };
    return { via: 'bearer', refused: { what: 'bearer token', reason: 'unknown' } };
  }
  const session = request.cookies?.[SESSION_COOKIE];
  if (session) return fromResolution('session', 'cookie', await resolveSession(pool, session));
  return {};
}

function fromResolution(what: string, via: 'bearer' | 'cookie', resolved: { principal?: Principal; reason?: Refusal }): Identity {
  return resolved.principal ? { principal: resolved.principal, via } : { via, refused: { what, reason: resolved.reason ?? 'unknown' } };
}

/** The 401 message for a request whose credential was missing or refused: what, and how to get a good one. */
export function unauthorizedMessage(identity: Identity): string {
  const how = 'send Authorization: Bearer hn_… (an API key: `npx hypernode keys create`) or sign in (open the sign-in URL `npm start` prints)';
  const refused = identity.refused;
  if (!refused) return `no credential: ${how}`;
  if (refused.reason === 'malformed') return `the Authorization header is not "Bearer <token>" with a printable ASCII token: ${how}`;
  if (refused.reason === 'join-token') return 'a join token (hnj_…) only registers a node (POST /nodes); the node then uses the credential it got back';
  if (refused.what === 'session') return `your session is ${refused.reason}: sign in again`;
  return `the ${refused.what} is ${refused.reason}: ${how}`;
}

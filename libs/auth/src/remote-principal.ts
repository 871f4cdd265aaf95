import { createHash } from 'node:crypto';
import type { Principal } from './index.js';

/** The headers that carry a credential, as a service received them from its client. */
export interface CredentialHeaders {
  authorization?: string | undefined;
  cookie?: string | undefined;
}

/**
 * The api would not say who a client is: 401 (no or unknown credential), 403, or 503 when
 * the api itself did not answer in time (`dependency: 'api'`).
 */
export class RemoteAuthError extends Error {
  readonly code = 'E_REMOTE_AUTH';
  constructor(
    readonly statusCode: 401 | 403 | 503,
    message: string,
    readonly dependency?: 'api',
  ) {
    super(message);
    this.name = 'RemoteAuthError';
  }
}

/** Settings of a remote principal lookup. */
export interface RemotePrincipalOptions {
  /** Base URL of the api (the one auth authority). */
  apiUrl: string;
  /** Longest one `GET /auth/me` may take (default 1000 ms). */
  timeoutMs?: number;
  /** How long a positive answer is reused (default 30 s): a revoked key works that long at most. */
  cacheMs?: number;
  /** Most answers kept at once (default 10,000); the oldest go first. */
  maxCached?: number;
}

/** Asks the api who presented these headers; see createRemotePrincipal. */
export interface RemotePrincipal {
  /** The principal, or a RemoteAuthError (401 / 403 / 503 naming the api). */
  principalOf(headers: CredentialHeaders): Promise<Principal>;
  /** Forgets every cached answer. */
  clear(): void;
}

const KINDS = new Set(['key', 'session', 'node']);

function isPrincipal(value: unknown): value is Principal {
  const p = value as { kind?: unknown; id?: unknown; scopes?: unknown } | null;
  return !!p && KINDS.has(p.kind as string) && typeof p.id === 'string' && Array.isArray(p.scopes) && p.scopes.every((s) => typeof s === 'string');
}

/**
 * The one "ask the api who this is" client of the services that are not the api (realtime,
 * automation): forwards the client's `Authorization` and `Cookie` headers to the api's
 * `GET /auth/me` within `timeoutMs`, reuses a positive answer for `cacheMs` (keyed by the
 * sha256 of those headers, so no credential is kept in memory), and shares one call between
 * concurrent lookups of the same credential. Negative answers are never cached.
 */
export function createRemotePrincipal(options: RemotePrincipalOptions): RemotePrincipal {
  const timeoutMs = options.timeoutMs ?? 1000;
  const cacheMs = options.cacheMs ?? 30_000;
  const maxCached = options.maxCached ?? 10_000;
  const meUrl = new URL('/auth/me', options.apiUrl);
  const cache = new Map<string, { principal: Principal; until: number }>();
  const inFlight = new Map<string, Promise<Principal>>();

  const ask = async (headers: CredentialHeaders): Promise<Principal> => {
    const forwarded: Record<string, string> = {};
    if (headers.authorization) forwarded.authorization = headers.authorization;
    if (headers.cookie) forwarded.cookie = headers.cookie;
    let res: Response;
    try {
      res = await fetch(meUrl, { headers: forwarded, signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      const why = (error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : ((error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message);
      throw new RemoteAuthError(503, `api is unavailable to check the credential (GET ${meUrl.href}: ${why}); retry shortly — \`npx hypernode health\` shows what is down`, 'api');
    }
    const text = await res.text().catch(() => '');
    let body: { principal?: unknown; message?: unknown } = {};
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      // not JSON: judged by the status below
    }
    if (res.status === 401 || res.status === 403) {
      const message = typeof body.message === 'string' ? body.message.slice(0, 300) : res.status === 401 ? 'unknown, revoked or expired credential' : 'not allowed';
      throw new RemoteAuthError(res.status, message);
    }
    if (!res.ok || !isPrincipal(body.principal)) {
      throw new RemoteAuthError(503, `api answered GET ${meUrl.pathname} with ${res.status}${res.ok ? ' but no principal' : ''}; retry shortly`, 'api');
    }
    return body.principal;
  };

  return {
    async principalOf(headers) {
      if (!headers.authorization && !headers.cookie) {
        throw new RemoteAuthError(401, 'no credential: send `Authorization: Bearer hn_…` (an API key) or sign in for the hn_session cookie');
      }
      const key = createHash('sha256').update(`${headers.authorization ?? ''}\n${headers.cookie ?? ''}`).digest('base64url');
      const hit = cache.get(key);
      if (hit && hit.until > Date.now()) return hit.principal;
      cache.delete(key);
      let pending = inFlight.get(key);
      if (!pending) {
        pending = ask(headers).then((principal) => {
          if (cache.size >= maxCached) cache.delete(cache.keys().next().value!);
          cache.set(key, { principal, until: Date.now() + cacheMs });
          return principal;
        });
        inFlight.set(key, pending);
        void pending.catch(() => undefined).finally(() => inFlight.delete(key));
      }
      return pending;
    },
    clear: () => cache.clear(),
  };
}

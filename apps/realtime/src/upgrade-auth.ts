import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { RemoteAuthError, type Principal, type RemotePrincipal } from '@hypernode/auth';

/** The subprotocol the server answers with; a client offers it beside `hypernode.bearer.<key>`. */
export const PROTOCOL = 'hypernode.v1';
/** Prefix of the subprotocol that carries an API key (never a query parameter: URLs land in logs). */
export const BEARER_PROTOCOL_PREFIX = 'hypernode.bearer.';

const SESSION_COOKIE = /(?:^|;\s*)hn_session=/;

/** An upgrade refused before it happens: the HTTP status and why. */
export class UpgradeRefusedError extends Error {
  readonly code = 'E_UPGRADE_REFUSED';
  constructor(
    readonly statusCode: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'UpgradeRefusedError';
  }
}

/** The protocols a client offered (`Sec-WebSocket-Protocol`, comma-separated). */
export function offeredProtocols(req: IncomingMessage): string[] {
  return (req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

/**
 * Who is opening this connection, decided before the upgrade: a key in the subprotocol
 * `hypernode.bearer.<key>` (with `hypernode.v1` offered too, the protocol the server answers
 * with), or the `hn_session` cookie — then `Origin` is required and must be an allowed one
 * (a browser always sends it; its absence with a cookie means a forged or non-browser request
 * replaying a browser's cookie). The api says who the credential belongs to.
 */
export async function authenticateUpgrade(req: IncomingMessage, allowedOrigins: ReadonlySet<string>, principalOf: RemotePrincipal['principalOf']): Promise<Principal> {
  const offered = offeredProtocols(req);
  const bearer = offered.find((p) => p.startsWith(BEARER_PROTOCOL_PREFIX));
  const cookie = req.headers.cookie && SESSION_COOKIE.test(req.headers.cookie) ? req.headers.cookie : undefined;
  const origin = req.headers.origin;
  if (bearer && !offered.includes(PROTOCOL)) {
    throw new UpgradeRefusedError(400, `offer the subprotocol ${PROTOCOL} beside ${BEARER_PROTOCOL_PREFIX}<key>: the server answers with ${PROTOCOL}`);
  }
  if (!bearer && !cookie) {
    throw new UpgradeRefusedError(401, `no credential: send an API key as the subprotocol ${BEARER_PROTOCOL_PREFIX}<key> (beside ${PROTOCOL}), or sign in for the hn_session cookie; a key in the URL is never read`, { 'www-authenticate': 'Bearer' });
  }
  if (!bearer && (origin === undefined || !allowedOrigins.has(origin))) {
    throw new UpgradeRefusedError(403, origin === undefined ? 'a session cookie needs an Origin header from an allowed frontend' : `origin ${origin.slice(0, 100)} is not allowed`);
  }
  try {
    return await principalOf(bearer ? { authorization: `Bearer ${bearer.slice(BEARER_PROTOCOL_PREFIX.length)}` } : { cookie });
  } catch (error) {
    if (!(error instanceof RemoteAuthError)) throw error;
    const headers: Record<string, string> = error.statusCode === 401 ? { 'www-authenticate': 'Bearer' } : error.statusCode === 503 ? { 'retry-after': '1' } : {};
    throw new UpgradeRefusedError(error.statusCode, error.message, headers);
  }
}

/** Answers an upgrade request with a plain HTTP error `{statusCode, error, message}` and closes the socket. */
export function refuseUpgrade(socket: Duplex, error: UpgradeRefusedError): void {
  const body = JSON.stringify({ statusCode: error.statusCode, error: STATUS_CODES[error.statusCode] ?? 'Error', message: error.message });
  const headers = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), connection: 'close', ...error.headers };
  const head = Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n');
  socket.end(`HTTP/1.1 ${error.statusCode} ${STATUS_CODES[error.statusCode] ?? 'Error'}\r\n${head}\r\n\r\n${body}`);
}

/** Who is signed in, as the api's `GET /auth/me` and `POST /auth/sign-in` answer (see @hypernode/auth Principal). */
export interface SignedIn {
  kind: 'key' | 'session' | 'node';
  id: string;
  scopes: string[];
  name?: string;
}

/** The api answered 401: nobody is signed in (or the session ended). */
export class NotSignedInError extends Error {
  readonly code = 'E_NOT_SIGNED_IN';
  constructor(message = 'not signed in: open the sign-in URL `npm start` printed, or paste an API key') {
    super(message);
  }
}

/** The api could not be reached or refused the sign-in; the message says what to do. */
export class SignInError extends Error {
  readonly code = 'E_SIGN_IN';
}

/** The URL fragment key that carries a one-time sign-in token: `#sign-in=hnt_…`. */
export const SIGN_IN_FRAGMENT = 'sign-in';

/** The one-time token in a URL fragment (`#sign-in=hnt_…`), or undefined. */
export function signInTokenFrom(hash: string): string | undefined {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const token = params.get(SIGN_IN_FRAGMENT);
  return token && /^hnt_[A-Za-z0-9_-]{20,}$/.test(token) ? token : undefined;
}

/** `fetch` against the api that always sends the session cookie; a 401 throws NotSignedInError. */
export async function apiFetch(apiUrl: string, path: string, init: RequestInit = {}): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(`${apiUrl}${path}`, { ...init, credentials: 'include' });
  } catch {
    throw new SignInError(`API unreachable at ${apiUrl} — is \`npm start\` running? \`npx hypernode health\``);
  }
  if (res.status === 401) throw new NotSignedInError();
  return res;
}

async function postSignIn(apiUrl: string, body: { token: string } | { key: string }): Promise<SignedIn> {
  let res: Response;
  try {
    res = await fetch(`${apiUrl}/auth/sign-in`, { method: 'POST', credentials: 'include', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  } catch {
    throw new SignInError(`API unreachable at ${apiUrl} — is \`npm start\` running?`);
  }
  if (res.ok) return ((await res.json()) as { principal: SignedIn }).principal;
  const message = ((await res.json().catch(() => ({}))) as { message?: string }).message;
  if ('token' in body) throw new SignInError(`that sign-in link is used up or expired (${res.status}): restart \`npm start\` for a new one, or paste an API key`);
  throw new SignInError(`the key was refused (${res.status}${message ? `: ${message}` : ''}): check it, or create one with \`npx hypernode keys create --name me --scope admin\``);
}

/** Exchanges a one-time sign-in token (`hnt_…`) for a session cookie. */
export function signInWithToken(apiUrl: string, token: string): Promise<SignedIn> {
  return postSignIn(apiUrl, { token });
}

/** Exchanges an API key (`hn_…`) for a session cookie (the key itself is not kept by the browser). */
export function signInWithKey(apiUrl: string, key: string): Promise<SignedIn> {
  return postSignIn(apiUrl, { key: key.trim() });
}

/** Ends the session (the api revokes it and clears the cookie). */
export async function signOut(apiUrl: string): Promise<void> {
  await fetch(`${apiUrl}/auth/sign-out`, { method: 'POST', credentials: 'include' }).catch(() => undefined);
}

/** Who is signed in, or undefined when nobody is (401). */
export async function whoAmI(apiUrl: string): Promise<SignedIn | undefined> {
  try {
    const res = await apiFetch(apiUrl, '/auth/me');
    if (!res.ok) throw new SignInError(`API answered ${res.status} for /auth/me`);
    return ((await res.json()) as { principal: SignedIn }).principal;
  } catch (error) {
    if (error instanceof NotSignedInError) return undefined;
    throw error;
  }
}

// The sign-in this page load started, so a second caller (React StrictMode runs effects twice;
// the fragment is gone by then) waits for it instead of asking /auth/me too early.
let pendingSignIn: Promise<SignedIn> | undefined;

/**
 * On page load: when the URL carries `#sign-in=hnt_…`, removes the fragment from the address
 * bar and history at once (the token is one-time, but must not linger), then signs in with it.
 * Resolves the principal; without a token, the sign-in an earlier call started (if any), else undefined.
 */
export async function signInFromLocation(apiUrl: string, location: Location = window.location, history: History = window.history): Promise<SignedIn | undefined> {
  const token = signInTokenFrom(location.hash);
  if (!token) return pendingSignIn;
  history.replaceState(history.state, '', `${location.pathname}${location.search}`);
  pendingSignIn = signInWithToken(apiUrl, token);
  return pendingSignIn;
}

/** Scopes, weakest first: each implies the ones before it (admin ⊃ deploy ⊃ read). */
export const SCOPES = ['read', 'deploy', 'admin'] as const;
/** One scope of an API key or session. */
export type Scope = (typeof SCOPES)[number];

/** A scope list given by a person (CLI flag, request) names a scope that does not exist. */
export class AuthInputError extends Error {
  readonly code = 'E_AUTH_SCOPE';
  constructor(message: string) {
    super(message);
    this.name = 'AuthInputError';
  }
}

/** Whether `value` is one of SCOPES. */
export function isScope(value: unknown): value is Scope {
  return typeof value === 'string' && (SCOPES as readonly string[]).includes(value);
}

/** Whether `granted` covers `needed`, counting the implied scopes (admin grants deploy and read). */
export function hasScope(granted: readonly Scope[], needed: Scope): boolean {
  const rank = SCOPES.indexOf(needed);
  return granted.some((g) => isScope(g) && SCOPES.indexOf(g) >= rank);
}

/**
 * Parses a comma-separated scope list (`"deploy"`, `"read,deploy"`); duplicates are dropped.
 * Throws AuthInputError naming the bad value and the valid scopes.
 */
export function parseScopes(list: string): Scope[] {
  const parts = list.split(',').map((s) => s.trim());
  const bad = parts.filter((p) => !isScope(p));
  if (parts.length === 0 || bad.length > 0) {
    const shown = bad.length > 0 ? bad.map((b) => JSON.stringify(b)).join(', ') : JSON.stringify(list);
    throw new AuthInputError(`unknown scope ${shown} in ${JSON.stringify(list)}: valid scopes are ${SCOPES.join(', ')} (comma-separated; admin implies deploy implies read)`);
  }
  return [...new Set(parts as Scope[])];
}

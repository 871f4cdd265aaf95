// The CLI bootstraps credentials in PostgreSQL with the store's own functions rather than a
// second copy of their SQL (eslint.config.mjs lets tools use backend libs, never apps).
import type * as Auth from '@hypernode/auth';
import type * as ServiceKit from '@hypernode/service-kit';
import type * as Store from '@hypernode/store';

/** The workspace libraries the credential commands use (TypeScript sources, not bundled). */
export interface CredentialLibs {
  auth: typeof Auth;
  store: typeof Store;
  kit: typeof ServiceKit;
}

let loading: Promise<CredentialLibs> | undefined;

/**
 * Loads @hypernode/store, @hypernode/auth and @hypernode/service-kit. They ship as TypeScript
 * (and the store finds its migrations next to its sources), so the bundled CLI keeps them
 * external and registers tsx before importing them (a failed import would stay cached);
 * run from its sources, the CLI is under tsx already.
 */
export function loadCredentialLibs(): Promise<CredentialLibs> {
  return (loading ??= (async () => {
    if (!import.meta.url.endsWith('.ts')) {
      const { register } = await import('tsx/esm/api');
      register();
    }
    return importAll();
  })());
}

async function importAll(): Promise<CredentialLibs> {
  const [auth, store, kit] = await Promise.all([
    import('@hypernode/auth'),
    import('@hypernode/store'),
    import('@hypernode/service-kit'),
  ]);
  return { auth, store, kit };
}

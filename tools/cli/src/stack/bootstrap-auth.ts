import type { ResolvedService } from '@hypernode/ports';
import { CliError } from '../common.js';
import { ensureDevCredentials, signInUrl } from '../credentials/dev-credentials.js';
import { redact } from '../credentials/database.js';
import { loadCredentialLibs } from '../credentials/libs.js';

/** What the stack needs from the auth bootstrap. */
export interface StackAuth {
  /** HYPERNODE_JOIN_TOKEN for the GPU workers. */
  joinToken: string;
  /** One one-time sign-in URL per frontend, in registry order. */
  signInUrls: { service: string; url: string }[];
}

/**
 * Run by `hypernode up` once PostgreSQL answers: applies pending migrations, makes sure
 * `.hypernode/admin-key` and `.hypernode/join-token` are valid, and mints a one-time sign-in
 * URL for each frontend. An explicit HYPERNODE_JOIN_TOKEN in the environment wins over the file.
 */
export async function bootstrapAuth(root: string, services: readonly ResolvedService[], env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<StackAuth> {
  const libs = await loadCredentialLibs();
  const databaseUrl = env.DATABASE_URL || libs.store.defaultDatabaseUrl(env);
  let step = 'apply the migrations';
  try {
    const applied = await libs.store.migrate(databaseUrl);
    if (applied.length > 0) log(`postgres: applied ${applied.length} migration(s): ${applied.join(', ')}`);
    const pool = libs.kit.createPgPool(databaseUrl, { max: 2 });
    try {
      step = 'prepare the development credentials in .hypernode/';
      const dev = await ensureDevCredentials(pool, root, libs);
      for (const made of dev.created) log(`created .hypernode/${made} (mode 0600, git-ignored)`);
      step = 'create the sign-in tokens';
      const frontends = services.filter((s) => s.kind === 'frontend');
      const signInUrls = [];
      for (const f of frontends) signInUrls.push({ service: f.name, url: await signInUrl(pool, f.url, libs) });
      return { joinToken: env.HYPERNODE_JOIN_TOKEN || dev.joinToken, signInUrls };
    } finally {
      await pool.end().catch(() => undefined);
    }
  } catch (error) {
    throw new CliError(
      `cannot ${step} in PostgreSQL at ${redact(databaseUrl)}: ${(error as Error).message}. Fix: make sure PostgreSQL runs and the database exists (\`npx hypernode health\`), or set DATABASE_URL`,
    );
  }
}

/** The lines that show the sign-in URLs, framed so they stand out in the stack's output. */
export function signInBanner(urls: StackAuth['signInUrls']): string[] {
  const lines = [
    'Sign in (one-time links, valid 15 minutes; a new one each start):',
    ...urls.map((u) => `  ${u.service.padEnd(13)} ${u.url}`),
    'The CLI uses the admin key in .hypernode/admin-key; more keys: npx hypernode keys create --name <n> --scope read|deploy|admin',
  ];
  const width = Math.max(...lines.map((l) => l.length)) + 2;
  const rule = '='.repeat(width);
  return ['', rule, ...lines, rule, ''];
}

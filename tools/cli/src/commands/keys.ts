import { Option, type Command } from 'commander';
import { parseDuration, parsePositiveInt } from '../credentials/duration.js';
import { withDatabase } from '../credentials/database.js';
import { CliError } from '../common.js';
import { printRows } from '../output.js';

const SCOPE_CHOICES = ['read', 'deploy', 'admin'] as const;

interface DbOptions {
  json?: boolean;
  databaseUrl?: string;
}

function dbOption(command: Command): Command {
  return command
    .option('--json', 'print JSON for scripts')
    .addOption(new Option('--database-url <url>', 'PostgreSQL to use (default: $DATABASE_URL, else the registry\'s development database)'));
}

/**
 * `hypernode keys create|list|revoke`: API keys, straight in PostgreSQL (so they work before the
 * api runs, e.g. to bootstrap CI). A new key is printed once; only its hash is stored.
 */
export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('API keys for scripts (Authorization: Bearer hn_…): create, list, revoke — directly in PostgreSQL');
  dbOption(keys.command('create').description('create an API key and print it (once: only its hash is kept)'))
    .requiredOption('--name <name>', 'what the key is for, e.g. ci')
    .addOption(new Option('--scope <scope>', 'read < deploy < admin (each implies the ones before it)').choices(SCOPE_CHOICES).makeOptionMandatory())
    .addOption(new Option('--expires <duration>', 'lifetime, e.g. 30d, 12h, 2w (default: never)').argParser(parseDuration))
    .action((options: DbOptions & { name: string; scope: (typeof SCOPE_CHOICES)[number]; expires?: number }) =>
      withDatabase(options.databaseUrl, async ({ pool, libs }) => {
        const name = options.name.trim();
        if (name === '' || name.length > 200) throw new CliError(`--name ${JSON.stringify(options.name)} is not valid: expected 1–200 characters, e.g. --name ci`);
        const scopes = libs.auth.parseScopes(options.scope);
        const expiresAt = options.expires === undefined ? undefined : new Date(Date.now() + options.expires * 1000);
        const created = await libs.store.createApiKey(pool, { name, scopes, expiresAt });
        if (options.json) {
          console.log(JSON.stringify({ id: created.id, key: created.key, scopes: created.scopes }));
          return;
        }
        console.log(created.key);
        console.error(`created key ${created.id} "${created.name}" (${created.scopes.join(', ')}; ${created.expiresAt ? `expires ${created.expiresAt}` : 'never expires'}). It is shown only now: store it. Use it as Authorization: Bearer <key>; revoke with npx hypernode keys revoke ${created.id}`);
      }),
    );
  dbOption(keys.command('list').description('list API keys (never the keys themselves)')).action((options: DbOptions) =>
    withDatabase(options.databaseUrl, async ({ pool, libs }) => {
      const rows = (await libs.store.listApiKeys(pool)) as unknown as Record<string, unknown>[];
      await printRows(
        rows,
        [
          ['id', (k) => String(k.id)],
          ['name', (k) => String(k.name)],
          ['scopes', (k) => (k.scopes as string[]).join(',')],
          ['created', (k) => when(k.createdAt)],
          ['last used', (k) => when(k.lastUsedAt)],
          ['expires', (k) => when(k.expiresAt)],
          ['revoked', (k) => when(k.revokedAt)],
        ],
        options.json,
        { keys: rows },
      );
    }),
  );
  dbOption(keys.command('revoke').description('revoke an API key at once (sessions signed in with it end too)'))
    .argument('<id>', 'the key id (from keys list)')
    .action((id: string, options: DbOptions) =>
      withDatabase(options.databaseUrl, async ({ pool, libs }) => {
        if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw new CliError(`key id ${JSON.stringify(id)} is not valid: expected a UUID from \`npx hypernode keys list\``);
        if (!(await libs.store.revokeApiKey(pool, id))) throw new CliError(`no active API key with id ${id}: it does not exist or is revoked already (see \`npx hypernode keys list\`)`);
        if (options.json) console.log(JSON.stringify({ id, revoked: true }));
        else console.log(`revoked key ${id}`);
      }),
    );
}

/** `hypernode join-tokens create`: a join token (`hnj_…`) a GPU worker exchanges at registration. */
export function registerJoinTokens(program: Command): void {
  const tokens = program.command('join-tokens').description('join tokens for GPU workers (HYPERNODE_JOIN_TOKEN): create — directly in PostgreSQL');
  dbOption(tokens.command('create').description('create a join token and print it (once)'))
    .addOption(new Option('--uses <n>', 'how many workers may register with it').default(1).argParser(parsePositiveInt))
    .addOption(new Option('--expires <duration>', 'lifetime, e.g. 7d, 12h').default(7 * 86_400, '7d').argParser(parseDuration))
    .action((options: DbOptions & { uses: number; expires: number }) =>
      withDatabase(options.databaseUrl, async ({ pool, libs }) => {
        const created = await libs.store.createJoinToken(pool, { uses: options.uses, ttlS: options.expires });
        if (options.json) {
          console.log(JSON.stringify(created));
          return;
        }
        console.log(created.token);
        console.error(`created join token ${created.id} (${options.uses} use${options.uses === 1 ? '' : 's'}, expires ${created.expiresAt}). Shown only now: give it to the worker as HYPERNODE_JOIN_TOKEN`);
      }),
    );
}

function when(value: unknown): string {
  if (value === null || value === undefined) return '-';
  return value instanceof Date ? value.toISOString() : String(value);
}

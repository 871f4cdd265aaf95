// `nx run api:migrate`: applies pending migrations to DATABASE_URL (default: the registry's
// postgres, database hypernode) and exits.
import { loadConfig } from '../config.js';
import { migrate } from '@hypernode/store';

try {
  const applied = await migrate(loadConfig().databaseUrl, (line) => console.log(line));
  console.log(applied.length > 0 ? `applied ${applied.join(', ')}` : 'no pending migrations');
} catch (error) {
  console.error(`api:migrate failed: ${(error as Error).message}`);
  process.exitCode = 1;
}

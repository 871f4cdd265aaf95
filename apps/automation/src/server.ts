import pg from 'pg';
import { listenOrClose, type Closable, type ListenTarget } from '@hypernode/service-kit';
import { defaultDatabaseUrl } from '@hypernode/store';
import { buildApp } from './app.js';
import { loadAutomationConfig } from './config.js';
import { startEngine } from './engine.js';

/** Starts the engine and its HTTP side: what main.ts runs once the port is known to be free. */
export async function startAutomation(target: ListenTarget): Promise<Closable> {
  const config = loadAutomationConfig(process.env, defaultDatabaseUrl());
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 10 });
  // An idle connection dropped by the server must not crash the process; the next query reconnects.
  pool.on('error', (error) => console.error(`automation: idle PostgreSQL connection lost (${error.message})`));
  const engine = await startEngine(config, pool, (line) => console.log(`automation: ${line}`));
  const app = buildApp({ engine, pool, logger: { level: 'info' } });
  const close = async () => {
    await app.close();
    // A deploy job may be following a long run: hand it back (resumable) rather than wait.
    await engine.close(true);
    await pool.end();
  };
  return listenOrClose(app, target, close);
}

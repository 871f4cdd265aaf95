import { closeInOrder, createPgPool, listenOrClose, type Closable, type ListenTarget } from '@hypernode/service-kit';
import { createRemotePrincipal } from '@hypernode/auth';
import { buildApp } from './app.js';
import { loadAutomationConfig } from './config.js';
import { startEngine } from './engine.js';

/** Starts the engine and its HTTP side: what main.ts runs once the port is known to be free. */
export async function startAutomation(target: ListenTarget): Promise<Closable> {
  const config = loadAutomationConfig(process.env);
  const log = (line: string) => console.log(`automation: ${line}`);
  const pool = createPgPool(config.databaseUrl, { log });
  const engine = await startEngine(config, pool, log);
  const { principalOf } = createRemotePrincipal({ apiUrl: config.apiUrl });
  const app = buildApp({ engine, pool, principalOf, logger: { level: 'info' } });
  // Each step bounded: a blackholed PostgreSQL or Redis must not keep the process alive.
  const close = async () => {
    await closeInOrder(
      [
        { name: 'http server', run: () => app.close(), timeoutMs: 3000 },
        // A deploy job may be following a long run: hand it back (resumable) rather than wait.
        { name: 'engine', run: () => engine.close(true), timeoutMs: 3000 },
        { name: 'postgres pool', run: () => pool.end(), timeoutMs: 1500 },
      ],
      log,
    );
  };
  return listenOrClose(app, target, close);
}

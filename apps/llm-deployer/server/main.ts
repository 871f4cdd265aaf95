import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bindHostFor, portFor } from '@hypernode/ports';
import { assertPortFree } from '@hypernode/service-kit/bind';
import { frontendConfig } from '@hypernode/service-kit/frontend-config';

/**
 * The production entry, bundled by `nx run llm-deployer:build` to dist/apps/llm-deployer/main.js
 * beside Next's standalone output. Next's standalone server.js takes its port and address from
 * PORT and HOSTNAME only, so this resolves them the way every app does — `LLM_DEPLOYER_PORT`,
 * else `PORT` when it runs alone, else the registry port for HYPERNODE_PROFILE and
 * HYPERNODE_INSTANCE; HYPERNODE_HOST, else the profile's bind address — refuses a taken port
 * with the holder named, checks the backend URL variables, then starts server.js, which
 * handles SIGTERM itself. (Without this file: `PORT=<port> HOSTNAME=<addr> node
 * apps/llm-deployer/server.js` in the same folder.)
 */
const SERVER = join(dirname(fileURLToPath(import.meta.url)), 'apps', 'llm-deployer', 'server.js');

try {
  const env = process.env;
  const port = portFor('llm-deployer', { env, alone: !env.HYPERNODE_STACK });
  assertPortFree('llm-deployer', port);
  frontendConfig(env);
  env.PORT = String(port);
  env.HOSTNAME = bindHostFor({ env });
  env.NEXT_TELEMETRY_DISABLED ??= '1';
} catch (error) {
  const e = error as Error & { code?: string };
  console.error(e.code?.startsWith('E_') ? e.message : `llm-deployer failed to start: ${e.stack ?? e.message}`);
  process.exit(1);
}
// Next's server closes gracefully on SIGTERM/SIGINT but then exits 143/130 on purpose; every app
// of this stack exits 0 after a graceful stop (scripts and the rehearsal check it), so a
// signalled stop that Next completed is reported as 0. Any other exit code is kept.
// (Only while Next handles the signals: with NEXT_MANUAL_SIG_HANDLE set, a listener here would
// swallow them.)
let signalled = false;
if (!process.env.NEXT_MANUAL_SIG_HANDLE) for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => (signalled = true));
process.on('exit', (code) => {
  if (signalled && (code === 143 || code === 130)) process.exitCode = 0;
});
await import(pathToFileURL(SERVER).href);

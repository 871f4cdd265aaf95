import type { ServiceName } from '@hypernode/ports';
import { runService, type Closable, type ListenTarget, type RunningService } from './run-service.js';

/**
 * The body of every app's main.ts: runs the service and, on a start-up failure, prints
 * ONE line (the error's own message, which names the value and the fix) and exits non-zero.
 */
export async function serviceMain(
  service: ServiceName,
  start: (target: ListenTarget) => Promise<Closable>,
): Promise<RunningService | undefined> {
  try {
    const running = await runService(service, start);
    const everywhere = running.host === '::' || running.host === '0.0.0.0';
    const shown = everywhere || running.host === 'localhost' ? 'localhost' : running.host.includes(':') ? `[${running.host}]` : running.host;
    const where = everywhere ? 'every interface' : running.host === 'localhost' ? 'loopback only' : running.host;
    console.log(`${service} ready on http://${shown}:${running.port} (${where}; pid ${process.pid})`);
    return running;
  } catch (error) {
    const e = error as Error & { code?: string };
    console.error(e.code?.startsWith('E_') ? e.message : `${service} failed to start: ${e.stack ?? e.message}`);
    process.exit(1);
  }
}

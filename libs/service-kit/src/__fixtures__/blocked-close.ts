// A service whose close never gives its event loop back (BLOCK=microtasks: a promise chain that
// resolves forever; BLOCK=sync: a synchronous loop): run-service.spec checks that the shutdown
// watchdog still ends it, bounded, and names the function it was stuck in.
import { createServer } from 'node:http';
import { runService } from '../run-service.js';

function spinOnMicrotasks(): Promise<void> {
  return Promise.resolve().then(spinOnMicrotasks);
}

function spinSynchronously(): void {
  for (let i = 0; ; i++) if (i < 0) return;
}

await runService(
  'realtime',
  async ({ port, host }) => {
    const server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
    console.log('listening');
    return {
      close: async () => {
        server.close();
        console.log('closing');
        if (process.env.BLOCK === 'sync') spinSynchronously();
        else await spinOnMicrotasks();
      },
    };
  },
  { shutdownTimeoutMs: 500 },
);

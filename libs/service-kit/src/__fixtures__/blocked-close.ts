// A service whose close never gives its event loop back (BLOCK=microtasks: a promise chain that
// resolves forever; BLOCK=sync: a synchronous loop): run-service.spec checks that the shutdown
// watchdog still ends it, bounded, and names the function it was stuck in.
import { createServer } from 'node:http';
import { runService } from '../run-service.js';

// Never yields to the event loop, and (unlike a promise that resolves to the next) keeps nothing
// alive; each step does a little work of its own, as a retry loop would.
async function spinOnMicrotasks(): Promise<void> {
  for (let step = 0; ; step++) {
    await null;
    for (let i = 0; i < 20_000; i++) step ^= 0;
  }
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

import { closeInOrder, type Closable, type ListenTarget } from '@hypernode/service-kit';
import { ApiClient } from './api-client.js';
import { buildApp } from './app.js';
import { loadWorkerConfig } from './config.js';
import { GpuWorker } from './worker.js';

/** Listens, then registers with the api: what main.ts runs once the port is known to be free. */
export async function startGpuWorker({ port, host }: ListenTarget): Promise<Closable> {
  const config = loadWorkerConfig(process.env, port);
  const worker = new GpuWorker(config, new ApiClient(config.apiUrl), (line) => console.log(`gpu-worker: ${line}`));
  const app = buildApp({ worker, logger: true });
  await app.listen({ port, host });
  void worker.start(config.advertiseUrl);
  return {
    // Hand the job back and deregister (bounded: the api may be unreachable), then stop HTTP.
    close: async () => {
      await closeInOrder(
        [
          { name: 'hand back and deregister', run: () => worker.shutdown(), timeoutMs: 6000 },
          { name: 'http server', run: () => app.close(), timeoutMs: 2000 },
        ],
        (line) => console.error(`gpu-worker: ${line}`),
      );
    },
  };
}

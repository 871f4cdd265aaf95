// A service whose start answers HTTP, then goes on for START_REST_MS more (as realtime gives
// Redis a moment after it listens): run-service.spec sends SIGTERM inside that window.
import { createServer } from 'node:http';
import { serviceMain } from '../main.js';

await serviceMain('realtime', async ({ port, host }) => {
  const server = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  console.log('listening');
  await new Promise((resolve) => setTimeout(resolve, Number(process.env.START_REST_MS)));
  console.log('start finished');
  return {
    close: () =>
      new Promise<void>((resolve) =>
        server.close(() => {
          console.log('closed');
          resolve();
        }),
      ),
  };
});

import { serviceMain } from '@hypernode/service-kit';

await serviceMain('realtime', async ({ port, host }) => {
  const { createRealtimeServer } = await import('./server.js');
  const server = createRealtimeServer();
  await server.listen(port, host);
  return server;
});

import { serviceMain } from '@hypernode/service-kit';

await serviceMain('realtime', async ({ port, host }) => {
  const [{ createRealtimeServer }, { loadRealtimeConfig }] = await Promise.all([import('./server.js'), import('./config.js')]);
  const server = createRealtimeServer(loadRealtimeConfig());
  await server.listen(port, host);
  return server;
});

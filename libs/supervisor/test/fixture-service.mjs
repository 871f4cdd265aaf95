// A small real service for the supervisor's tests: pino-style JSON and plain lines on stdout,
// a plain line on stderr, /health, /ready (503 naming redis when READY_FAIL is set), and
// GET /exit, which answers and then exits with code 3 (a crash); GET /print?n=N prints N lines.
import { createServer } from 'node:http';

const port = Number(process.env.PORT);
const name = process.env.FIXTURE_NAME ?? 'fixture';
const log = (level, msg, extra = {}) => process.stdout.write(JSON.stringify({ level, time: Date.now(), pid: process.pid, hostname: 'h', msg, ...extra }) + '\n');

log(30, `${name} starting`, { port });
console.log(`plain hello from ${name}`);
console.error(`${name} stderr line without a level`);
log(50, `${name} something failed`, { trace_id: process.env.FIXTURE_TRACE ?? 'abc123', err: { message: 'boom' } });
log(40, `${name} a warning`);

const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/health') return res.end(JSON.stringify({ status: 'ok' }));
  if (url.pathname === '/ready') {
    if (process.env.READY_FAIL) {
      res.statusCode = 503;
      return res.end(JSON.stringify({ statusCode: 503, status: 'unavailable', checks: [{ name: 'postgres', ok: true, detail: 'ok' }, { name: 'redis', ok: false, detail: 'connect ECONNREFUSED' }] }));
    }
    return res.end(JSON.stringify({ status: 'ready' }));
  }
  if (url.pathname === '/print') {
    const n = Number(url.searchParams.get('n') ?? '1');
    let out = '';
    for (let i = 0; i < n; i++) out += JSON.stringify({ level: 30, time: Date.now(), msg: `${name} burst ${i}` }) + '\n';
    process.stdout.write(out, () => res.end('ok'));
    return;
  }
  if (url.pathname === '/wrapped-exit') {
    // As Nx's serve executor reports its app's exit before Nx itself exits 1.
    res.end('bye');
    console.error(`${name}:serve exited with code 7 (see its output above): this Nx command will exit 1`);
    setTimeout(() => process.exit(1), 20);
    return;
  }
  if (url.pathname === '/exit') {
    res.end('bye');
    log(60, `${name} exiting with code 3 on request`);
    setTimeout(() => process.exit(3), 20);
    return;
  }
  res.statusCode = 404;
  res.end();
});
server.listen(port, '127.0.0.1', () => log(30, `${name} listening on ${port}`));
process.on('SIGTERM', () => {
  log(30, `${name} got SIGTERM, closing`);
  server.close(() => process.exit(0));
  server.closeAllConnections();
});

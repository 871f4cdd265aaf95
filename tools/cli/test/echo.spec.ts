import { describe, expect, it } from 'vitest';
import { LogStore } from '@hypernode/supervisor';
import { terminalEcho } from '../src/stack/echo.js';
import { serveExitOf } from '../src/stack/serve-exit.js';

describe('terminal echo of supervised services', () => {
  it('prefixes each line with its padded service name; pino lines as LEVEL message {fields}; plain lines verbatim; colours only on a TTY', () => {
    const out: string[] = [];
    const echo = terminalEcho(['api', 'gpu-worker'], false, (t) => out.push(t));
    const store = new LogStore();
    const pino = JSON.stringify({ level: 40, time: 1, msg: 'slow', ms: 900 });
    echo(store.append('api', 0, 'stdout', pino), pino);
    echo(store.append('gpu-worker', 0, 'stdout', 'registered as node x'), 'registered as node x');
    expect(out).toEqual(['api        │ WARN  slow {"ms":900}\n', 'gpu-worker │ registered as node x\n']);
    const tty: string[] = [];
    terminalEcho(['api'], true, (t) => tty.push(t))(store.append('api', 0, 'stdout', 'x'), 'x');
    expect(tty[0]).toMatch(/^\u001b\[36mapi\u001b\[39m │ x\n$/);
  });
});

describe('the app exit the serve executor prints', () => {
  it('reads a code or a signal, nothing from other lines', () => {
    expect(serveExitOf('realtime:serve exited with code 3 (see its output above): this Nx command will exit 1')).toEqual({ code: 3, signal: null });
    expect(serveExitOf('api:serve exited with signal SIGSEGV (see its output above): this Nx command will exit 1')).toEqual({ code: null, signal: 'SIGSEGV' });
    expect(serveExitOf('realtime ready on http://localhost:3003')).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { LogStore } from '../src/log-store.js';
import { LogQueryError, parseLogQuery } from '../src/log-query.js';
import { parseLine } from '../src/log-parse.js';

describe('parseLine', () => {
  it('parses pino JSON: time, level name, msg, other fields, trace id', () => {
    const line = parseLine(JSON.stringify({ level: 50, time: 1700000000123, pid: 1, hostname: 'h', msg: 'failed', trace_id: 'ab12', reqId: 7 }), 'stdout', 5);
    expect(line).toEqual({ time: 1700000000123, level: 'error', message: 'failed', fields: { trace_id: 'ab12', reqId: 7 }, stream: 'stdout', traceId: 'ab12' });
    expect(parseLine('{"level":10,"msg":"t"}', 'stdout', 5).level).toBe('trace');
    expect(parseLine('{"level":60,"msg":"f","traceId":"x"}', 'stdout', 5)).toMatchObject({ level: 'fatal', traceId: 'x', time: 5 });
  });

  it('keeps plain lines verbatim (ANSI too): info on stdout, warn on stderr, unless the line names its level', () => {
    const colored = '\u001b[32mready\u001b[39m in 300 ms';
    expect(parseLine(colored, 'stdout', 9)).toEqual({ time: 9, level: 'info', message: colored, stream: 'stdout' });
    expect(parseLine('vite: something odd', 'stderr', 9).level).toBe('warn');
    expect(parseLine('Error: listen EADDRINUSE', 'stderr', 9).level).toBe('error');
    expect(parseLine('{"not":"pino"}', 'stdout', 9)).toMatchObject({ level: 'info', message: '{"not":"pino"}' });
  });
});

describe('LogStore', () => {
  it('caps each service buffer, counts dropped lines and keeps error/warn counts of what is buffered', () => {
    const store = new LogStore(5);
    for (let i = 0; i < 8; i++) store.append('a', 0, 'stdout', JSON.stringify({ level: i % 2 ? 50 : 40, msg: `m${i}`, time: 1000 + i }));
    const page = store.query(parseLogQuery({}, ['a']));
    expect(page.lines.map((l) => l.message)).toEqual(['m3', 'm4', 'm5', 'm6', 'm7']);
    expect(page.dropped).toBe(3);
    expect(store.counts('a')).toMatchObject({ errorCount: 3, warnCount: 2 });
  });

  it('searches text case-insensitively and /regex/flags; filters by level and above; combines services by time then seq; pages with before', () => {
    const store = new LogStore();
    store.append('a', 0, 'stdout', JSON.stringify({ level: 30, msg: 'GET /deployments 200', time: 30 }));
    store.append('b', 0, 'stdout', JSON.stringify({ level: 50, msg: 'relay failed', time: 10 }));
    store.append('a', 0, 'stdout', JSON.stringify({ level: 40, msg: 'slow query', time: 20 }));
    store.append('b', 0, 'stdout', JSON.stringify({ level: 30, msg: 'get /nodes 200', time: 20 }));
    const q = (raw: Record<string, string>) => store.query(parseLogQuery(raw, ['a', 'b'])).lines.map((l) => l.message);
    expect(q({})).toEqual(['relay failed', 'slow query', 'get /nodes 200', 'GET /deployments 200']);
    expect(q({ q: 'get /' })).toEqual(['get /nodes 200', 'GET /deployments 200']);
    expect(q({ q: '/^GET/' })).toEqual(['GET /deployments 200']);
    expect(q({ q: '/^get/i' })).toEqual(['get /nodes 200', 'GET /deployments 200']);
    expect(q({ level: 'warn' })).toEqual(['relay failed', 'slow query']);
    expect(q({ services: 'b' })).toEqual(['relay failed', 'get /nodes 200']);
    const first = store.query(parseLogQuery({ limit: '2' }, ['a', 'b']));
    expect(first.lines.map((l) => l.message)).toEqual(['get /nodes 200', 'GET /deployments 200']);
    expect(first.more).toBe(true);
    const older = store.query(parseLogQuery({ limit: '2', before: String(first.lines[0]!.seq) }, ['a', 'b']));
    expect(older.lines.map((l) => l.message)).toEqual(['relay failed', 'slow query']);
    expect(older.more).toBe(false);
  });

  it('refuses bad queries naming the value and the fix', () => {
    expect(() => parseLogQuery({ q: '/a(b/' }, ['a'])).toThrow(LogQueryError);
    expect(() => parseLogQuery({ q: '/a(b/' }, ['a'])).toThrow(/"\/a\(b\/" is not a valid regex/);
    expect(() => parseLogQuery({ q: `/${'a'.repeat(201)}/` }, ['a'])).toThrow(/201 characters long: the search accepts at most 200/);
    expect(() => parseLogQuery({ limit: '0' }, ['a'])).toThrow(/limit="0" is not a whole number 1–5000/);
    expect(() => parseLogQuery({ limit: '5001' }, ['a'])).toThrow(/limit="5001"/);
    expect(() => parseLogQuery({ before: '-1' }, ['a'])).toThrow(/before="-1"/);
    expect(() => parseLogQuery({ level: 'loud' }, ['a'])).toThrow(/level="loud" is not a log level: use one of trace, debug, info, warn, error, fatal/);
    expect(() => parseLogQuery({ services: 'a,zz' }, ['a'])).toThrow(/unknown service "zz" in services: use any of a/);
  });

  it('finds the lines of one trace', () => {
    const store = new LogStore();
    store.append('a', 0, 'stdout', JSON.stringify({ level: 30, msg: 'x', trace_id: 't1', time: 2 }));
    store.append('b', 0, 'stdout', JSON.stringify({ level: 30, msg: 'y', traceId: 't1', time: 1 }));
    store.append('b', 0, 'stdout', JSON.stringify({ level: 30, msg: 'z', traceId: 't2', time: 3 }));
    expect(store.logsForTrace('t1').map((l) => l.message)).toEqual(['y', 'x']);
  });
});

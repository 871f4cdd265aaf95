import { Worker } from 'node:worker_threads';

/**
 * The watchdog's thread, as source: an `eval` worker needs no file beside the app's bundle.
 *
 * Hand-written because no library does this: runService's own shutdown bound is a timer on the
 * main thread, and a main thread that never returns to its event loop (a promise chain that
 * resolves forever, a synchronous loop) never runs it — the process stays up after SIGTERM with
 * nothing logged. This thread's timer runs regardless. When it fires it asks the main thread's
 * inspector to pause (V8 honours that between any two JavaScript calls, so a spinning loop
 * stops; a few pauses, with async stack traces, show a spinning promise chain), writes where the main thread was straight to fd 2 (console output from a worker goes
 * through the main thread's loop), and kills the process: an exit that cannot be clean is at
 * least bounded and says why.
 */
const WATCHDOG = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const inspector = require('node:inspector');
const { service, afterMs, frames, samples } = workerData;
const say = (text) => { try { writeSync(2, service + ': ' + text + '\\n'); } catch {} };
const kill = () => process.kill(process.pid, 'SIGKILL');
const at = (name, url, line, column) => '    at ' + (name || '<anonymous>') + ' (' + (url || 'native') + ':' + (line + 1) + ':' + (column + 1) + ')';
// One pause: its frames, then the async frames that led to it (a spinning promise chain pauses
// between its steps, where the synchronous stack is only Node's microtask runner); a step that
// repeats the one before it is counted, not printed again.
const urls = new Map();
const stackOf = ({ callFrames, asyncStackTrace }) => {
  const lines = callFrames.map((f) => at(f.functionName, urls.get(f.location.scriptId), f.location.lineNumber, f.location.columnNumber));
  let previous = '';
  let repeats = 0;
  for (let t = asyncStackTrace; t && lines.length < frames; t = t.parent) {
    const step = ['    -- ' + (t.description || 'async') + ' --', ...t.callFrames.map((f) => at(f.functionName, f.url, f.lineNumber, f.columnNumber))].join('\\n');
    if (step === previous) { repeats++; continue; }
    if (repeats > 0) lines.push('    (the step above ' + repeats + ' more times)');
    lines.push(step);
    previous = step;
    repeats = 0;
  }
  if (repeats > 0) lines.push('    (the step above ' + repeats + ' more times)');
  return lines.slice(0, frames).join('\\n');
};
setTimeout(() => {
  say('still running ' + afterMs + ' ms after the stop signal and its own shutdown timer never ran: its event loop is blocked; killing it');
  const seen = new Map();
  const report = () => {
    if (seen.size === 0) say('the main thread did not pause within 2 s: it is blocked outside JavaScript');
    const common = [...seen].sort((a, b) => b[1] - a[1]).slice(0, 3);
    for (const [stack, count] of common) say('the main thread was running (' + count + ' of ' + samples + ' pauses):\\n' + stack);
    kill();
  };
  const bound = setTimeout(report, 2000);
  try {
    const session = new inspector.Session();
    session.connectToMainThread();
    let paused = 0;
    session.on('Debugger.scriptParsed', ({ params }) => urls.set(params.scriptId, params.url));
    session.on('Debugger.paused', ({ params }) => {
      const stack = stackOf(params);
      seen.set(stack, (seen.get(stack) || 0) + 1);
      if (++paused >= samples) return clearTimeout(bound), report();
      session.post('Debugger.resume', () => setTimeout(() => session.post('Debugger.pause'), 10));
    });
    session.post('Debugger.enable', () => session.post('Debugger.setAsyncCallStackDepth', { maxDepth: frames }, () => setTimeout(() => session.post('Debugger.pause'), 10)));
  } catch (error) {
    say('could not reach the main thread (' + error.message + ')');
  }
}, afterMs);
`;

/**
 * Starts the watchdog when a stop signal arrives: if the process still runs `afterMs` later
 * (its own shutdown bound plus a margin), it prints the main thread's JavaScript stack and is
 * SIGKILLed. Unref'd: it never keeps a process alive, and `process.exit` ends it.
 */
export function startShutdownWatchdog(service: string, afterMs: number): void {
  try {
    const watchdog = new Worker(WATCHDOG, { eval: true, workerData: { service, afterMs, frames: 30, samples: 5 } });
    watchdog.on('error', (error) => console.error(`${service}: shutdown watchdog failed (${error.message}); the shutdown bound is the main thread's timer alone`));
    watchdog.unref();
  } catch (error) {
    console.error(`${service}: could not start the shutdown watchdog (${(error as Error).message}); the shutdown bound is the main thread's timer alone`);
  }
}

import { url as inspectorUrl } from 'node:inspector';
import { Worker } from 'node:worker_threads';

/**
 * The watchdog's thread, as source: an `eval` worker needs no file beside the app's bundle (and
 * runs as CommonJS without the app's `--import` preloads).
 *
 * Hand-written because no library does this: runService's own shutdown bound is a timer on the
 * main thread, and a main thread that never returns to its event loop (a promise chain that
 * resolves forever, a synchronous loop) never runs it — the process stays up after SIGTERM with
 * nothing logged. This thread's timer runs regardless. When it fires it asks the main thread's
 * inspector to pause (V8 acts on that at its interrupt checks, at function entries and loop
 * back-edges, so a spinning loop stops; a few pauses, with async stack traces, show a spinning
 * promise chain), writes where the main thread was straight to fd 2 (console output from a
 * worker goes through the main thread's loop), and kills the process: an exit that cannot be
 * clean is at least bounded and says why. Not covered: a loop already blocked when the signal
 * arrives (the signal's handler, which starts this thread, runs on that loop).
 */
const WATCHDOG = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const inspector = require('node:inspector');
const { service, afterMs, boundMs, frames, samples } = workerData;
const say = (text) => { try { writeSync(2, service + ': ' + text + '\\n'); } catch {} };
const kill = () => process.kill(process.pid, 'SIGKILL');
// Whatever goes wrong here, the process still ends: a dead watchdog would bring the silent hang back.
process.on('uncaughtException', (error) => { say('shutdown watchdog: ' + error.message + '; killing it'); kill(); });
const at = (name, url, line, column) => '    at ' + (name || '<anonymous>') + ' (' + (url || 'native') + ':' + (line + 1) + ':' + (column + 1) + ')';
// One pause: its frames, then the async frames that led to it (a spinning promise chain pauses
// between its steps, where the synchronous stack is only Node's microtask runner); a step that
// repeats the one before it is counted, not printed again. At most \`frames\` lines.
const urls = new Map();
const stackOf = ({ callFrames, asyncStackTrace }) => {
  const lines = callFrames.map((f) => at(f.functionName, urls.get(f.location.scriptId), f.location.lineNumber, f.location.columnNumber));
  let previous = '';
  let repeats = 0;
  for (let t = asyncStackTrace; t && lines.length < frames; t = t.parent) {
    const step = ['    -- ' + (t.description || 'async') + ' --', ...t.callFrames.map((f) => at(f.functionName, f.url, f.lineNumber, f.columnNumber))];
    if (step.join('\\n') === previous) { repeats++; continue; }
    if (repeats > 0) lines.push('    (the step above ' + repeats + ' more times)');
    lines.push(...step);
    previous = step.join('\\n');
    repeats = 0;
  }
  if (repeats > 0) lines.push('    (the step above ' + repeats + ' more times)');
  return lines.slice(0, frames).join('\\n');
};
setTimeout(() => {
  say('still running ' + afterMs + ' ms after the stop signal (its own bound is ' + boundMs + ' ms): its event loop is blocked, or its exit is stuck; killing it');
  const seen = new Map();
  let stage = 'the inspector did not answer';
  const report = () => {
    if (seen.size === 0) say('no stack: ' + stage + ' within 2 s (the main thread is blocked outside JavaScript, or busy collecting garbage)');
    // Stacks through the app's own code first (a pause between two steps of a promise chain often
    // lands in Node's microtask runner alone), then the most frequent; the first in full, the
    // others by their first lines.
    const own = (stack) => /^ +at [^\\n]*\\((?:file:|\\/)/m.test(stack);
    [...seen].sort((a, b) => Number(own(b[0])) - Number(own(a[0])) || b[1] - a[1]).slice(0, 3).forEach(([stack, count], i) => {
      const shown = i === 0 ? stack : stack.split('\\n').slice(0, 4).join('\\n') + '\\n    …';
      say('the main thread was running (' + count + ' of ' + samples + ' pauses):\\n' + shown);
    });
    kill();
  };
  let bound = setTimeout(report, 2000);
  const session = new inspector.Session();
  session.connectToMainThread();
  let paused = 0;
  session.on('Debugger.scriptParsed', ({ params }) => urls.set(params.scriptId, params.url));
  session.on('Debugger.paused', ({ params }) => {
    const stack = stackOf(params);
    seen.set(stack, (seen.get(stack) || 0) + 1);
    if (++paused >= samples) return clearTimeout(bound), report();
    // The first half without async stack traces (turning them on adds Node's promise hooks, where
    // most pauses then land), the second half with them (the steps that led to a promise chain).
    const next = () => setTimeout(() => session.post('Debugger.pause'), 10);
    session.post('Debugger.resume', () => (paused === samples / 2 ? session.post('Debugger.setAsyncCallStackDepth', { maxDepth: frames }, next) : next()));
  });
  session.post('Debugger.enable', () => {
    // Enabled (the main thread answered): the pauses get their own 2 s.
    stage = 'the main thread did not pause';
    clearTimeout(bound);
    bound = setTimeout(report, 2000);
    setTimeout(() => session.post('Debugger.pause'), 10);
  });
}, afterMs);
`;

/**
 * Starts the watchdog when a stop signal arrives: if the process still runs `afterMs` later
 * (past its own shutdown bound, `boundMs`), it prints the main thread's JavaScript stack and is
 * SIGKILLed. Unref'd: it never keeps a process alive, and `process.exit` ends it. Not started
 * while a debugger is attached (`--inspect`): a developer paused in a close step must not be
 * resumed and killed.
 */
export function startShutdownWatchdog(service: string, boundMs: number, afterMs: number): void {
  if (inspectorUrl() !== undefined) return;
  try {
    const watchdog = new Worker(WATCHDOG, { eval: true, workerData: { service, afterMs, boundMs, frames: 30, samples: 20 } });
    watchdog.on('error', (error) => console.error(`${service}: shutdown watchdog failed (${error.message}); the shutdown bound is the main thread's timer alone`));
    watchdog.unref();
  } catch (error) {
    console.error(`${service}: could not start the shutdown watchdog (${(error as Error).message}); the shutdown bound is the main thread's timer alone`);
  }
}

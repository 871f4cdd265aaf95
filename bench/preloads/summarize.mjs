// Summaries of what the diagnosis preloads wrote (issue 13):
//   node bench/preloads/summarize.mjs calls <dir> <per>   # statements and commands ÷ <per> (e.g. the deployments of the run)
//   node bench/preloads/summarize.mjs cpu <dir> <seconds>  # each profile's CPU by package over its last <seconds>
// Hand-written: a cpuprofile is a call tree with sample deltas, and no maintained tool on npm
// folds it by package over a time window.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [mode, dir, arg] = process.argv.slice(2);
const usage = 'usage: node bench/preloads/summarize.mjs calls <dir> <per> | cpu <dir> <seconds>';
const fail = (message) => {
  console.error(message);
  process.exit(2);
};
if (!dir || !['calls', 'cpu'].includes(mode ?? '')) fail(usage);
const number = Number(arg ?? (mode === 'calls' ? 1 : 10));
if (!(number > 0)) fail(`${JSON.stringify(arg)} is not a positive number: ${usage}`);
const files = (suffix) => readdirSync(dir).filter((f) => f.endsWith(suffix));
const appOf = (file) => file.replace(/-\d+\.(calls\.json|cpuprofile)$/, '');
const top = (entries, n) => Object.entries(entries).sort((a, b) => b[1] - a[1]).slice(0, n);

if (mode === 'calls') {
  const byKey = {};
  const totals = {};
  for (const file of files('.calls.json')) {
    for (const [key, n] of Object.entries(JSON.parse(readFileSync(join(dir, file), 'utf8')))) {
      const app = appOf(file);
      byKey[`${app} ${key}`] = (byKey[`${app} ${key}`] ?? 0) + n;
      const kind = `${app} ${key.split(' ')[0]}`;
      totals[kind] = (totals[kind] ?? 0) + n;
    }
  }
  for (const [kind, n] of top(totals, 50)) console.log(`${(n / number).toFixed(2).padStart(8)}  ${kind} (all)`);
  for (const [key, n] of top(byKey, 30)) console.log(`${(n / number).toFixed(2).padStart(8)}  ${key}`);
} else {
  for (const file of files('.cpuprofile')) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const from = profile.endTime - (number + 0.5) * 1e6;
    const to = profile.endTime - 0.5e6; // the last half second is the shutdown
    let t = profile.startTime;
    const self = {};
    let busy = 0;
    profile.samples.forEach((id, i) => {
      t += profile.timeDeltas[i];
      if (t < from || t > to) return;
      const { functionName, url } = byId.get(id).callFrame;
      const pkg = url.match(/node_modules\/((@[^/]+\/)?[^/]+)/)?.[1] ?? (url.startsWith('node:') ? url.split('/').slice(0, 3).join('/') : url ? url.replace(/.*\/(apps|libs|dist)\//, '$1/') : functionName);
      const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
      self[pkg] = (self[pkg] ?? 0) + ms;
      if (functionName !== '(idle)') busy += ms;
    });
    console.log(`${file}: ${busy.toFixed(0)} ms busy in its last ${number} s`);
    for (const [pkg, ms] of top(self, 12)) console.log(`${ms.toFixed(0).padStart(8)} ms  ${pkg}`);
  }
}

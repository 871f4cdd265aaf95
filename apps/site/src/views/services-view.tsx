import { useState } from 'react';
import type { SupervisedService } from '@hypernode/events';
import { StatusBadge } from '@hypernode/ui';
import { CopyButton, Dialog, formatBytes, formatPercent, formatUptime, StateBadge } from '@hypernode/ui/dashboard';
import type { ServiceRow } from '../api.js';
import { logsLink } from '../route.js';
import type { SupervisorState } from '../use-supervisor.js';

type Action = 'restart' | 'stop' | 'start';

/** One row per service: the api's port map and health sweep, joined with the supervisor's state, resources and log counts. */
function rowsOf(ports: ServiceRow[], supervised: SupervisedService[]): Array<{ name: string; port?: ServiceRow; sup?: SupervisedService }> {
  const rows: Array<{ name: string; port?: ServiceRow; sup?: SupervisedService }> = ports.map((port) => ({ name: port.name, port, sup: supervised.find((s) => s.name === port.name) }));
  for (const sup of supervised) if (!rows.some((r) => r.name === sup.name)) rows.push({ name: sup.name, port: undefined, sup });
  return rows;
}

function Endpoints({ row }: { row: { port?: ServiceRow; sup?: SupervisedService } }) {
  const list = row.sup?.endpoints.length ? row.sup.endpoints : row.port && row.port.url.startsWith('http') ? [{ name: 'url', url: row.port.url }] : [];
  if (list.length === 0) return <span className="muted">{row.port?.url ?? '—'}</span>;
  return (
    <span className="endpoints">
      {list.map((e) => (
        <span key={e.url}>
          <a href={e.url} target="_blank" rel="noreferrer">
            {e.url.replace(/^https?:\/\//, '')}
          </a>
          <CopyButton text={e.url} label={`Copy ${e.url}`} />
        </span>
      ))}
    </span>
  );
}

function Counts({ sup }: { sup?: SupervisedService }) {
  if (!sup) return <span className="muted">—</span>;
  return (
    <span className="inline-group">
      <a className={`count-link errors${sup.errorCount === 0 ? ' zero' : ''}`} href={logsLink([sup.name], 'error')}>
        {sup.errorCount} err<span className="visually-hidden"> in {sup.name} logs</span>
      </a>
      <a className={`count-link warnings${sup.warnCount === 0 ? ' zero' : ''}`} href={logsLink([sup.name], 'warn')}>
        {sup.warnCount} warn<span className="visually-hidden"> in {sup.name} logs</span>
      </a>
    </span>
  );
}

/** The services view: honest state per service, endpoints, resources, log counts, and (admin) actions. */
export function ServicesView({ ports, supervisor, isAdmin }: { ports: ServiceRow[]; supervisor: SupervisorState; isAdmin: boolean }) {
  const [confirmStop, setConfirmStop] = useState<string>();
  const [busy, setBusy] = useState<string>();
  const [problem, setProblem] = useState<string>();
  const act = (name: string, action: Action) => {
    if (!supervisor.client) return;
    setBusy(name);
    setProblem(undefined);
    supervisor.client
      .act(name, action)
      .then(supervisor.update, (e: Error) => setProblem(`${action} ${name}: ${e.message}`))
      .finally(() => setBusy(undefined));
  };
  const rows = rowsOf(ports, supervisor.services);
  const withActions = isAdmin && supervisor.available === true;
  return (
    <section aria-labelledby="services-heading">
      <div className="section-head">
        <h2 id="services-heading">Services</h2>
        {supervisor.available === true && <span className="muted">live from the stack supervisor; health from the api's sweep</span>}
      </div>
      {supervisor.available === false && (
        <p className="notice warn" role="status" data-testid="no-supervisor">
          Logs and actions need <code>npm start</code> (the stack supervisor, <code>hypernode up</code>): it does not answer. Health below comes from the api&apos;s sweep.
        </p>
      )}
      {problem && (
        <p role="alert" className="notice error">
          {problem}
        </p>
      )}
      {/* Focusable: a keyboard user can scroll a table wider than the screen. */}
      <div className="table-wrap" role="region" aria-label="Services table" tabIndex={0}>
        <table aria-label="Services">
          <thead>
            <tr>
              <th scope="col">service</th>
              <th scope="col">state</th>
              <th scope="col">health</th>
              <th scope="col">port</th>
              <th scope="col">endpoints</th>
              <th scope="col">uptime</th>
              <th scope="col">CPU</th>
              <th scope="col">memory</th>
              <th scope="col">logs</th>
              <th scope="col">latency</th>
              {withActions && <th scope="col">actions</th>}
            </tr>
          </thead>
          <tbody>
            {rows.map(({ name, port, sup }) => (
              <tr key={name} data-service={name} data-state={sup?.state}>
                <th scope="row" title={port?.purpose ?? sup?.kind}>
                  {name}
                  <span className="muted kind"> {port?.kind ?? sup?.kind}</span>
                </th>
                <td>
                  <StateBadge service={sup} />
                </td>
                <td title={port ? `${port.health.detail} · checked ${new Date(port.health.checkedAt).toLocaleTimeString()}` : undefined}>{port ? <StatusBadge status={port.health.status} label={port.health.status === 'down' && !port.required ? 'down (optional)' : port.health.status} /> : <span className="muted">—</span>}</td>
                <td className="num">{port?.port ?? '—'}</td>
                <td>
                  <Endpoints row={{ port, sup }} />
                </td>
                <td className="num">{sup ? formatUptime(sup.startedAt) : '—'}</td>
                <td className="num">{sup ? formatPercent(sup.cpuPercent) : '—'}</td>
                <td className="num">{sup ? formatBytes(sup.memoryBytes) : '—'}</td>
                <td>
                  <Counts sup={sup} />
                </td>
                <td className="num">{port ? `${port.health.latencyMs} ms` : '—'}</td>
                {withActions && (
                  <td>
                    {sup && (
                      <span className="inline-group">
                        <button type="button" className="button" disabled={busy === name} onClick={() => act(name, 'restart')} aria-label={`Restart ${name}`}>
                          Restart
                        </button>
                        {sup.state === 'stopped' || sup.state === 'crashed' ? (
                          <button type="button" className="button" disabled={busy === name} onClick={() => act(name, 'start')} aria-label={`Start ${name}`}>
                            Start
                          </button>
                        ) : (
                          <button type="button" className="button button-danger" disabled={busy === name} onClick={() => setConfirmStop(name)} aria-label={`Stop ${name}`}>
                            Stop
                          </button>
                        )}
                      </span>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Dialog open={confirmStop !== undefined} onClose={() => setConfirmStop(undefined)} title={`Stop ${confirmStop ?? ''}?`}>
        <p>
          <strong>{confirmStop}</strong> stops until someone starts it again; whatever depends on it will report it missing.
        </p>
        <form method="dialog" className="endpoints">
          <button type="submit" className="button">
            Keep it running
          </button>
          <button
            type="button"
            className="button button-primary"
            onClick={() => {
              const name = confirmStop!;
              setConfirmStop(undefined);
              act(name, 'stop');
            }}
          >
            Stop {confirmStop}
          </button>
        </form>
      </Dialog>
    </section>
  );
}

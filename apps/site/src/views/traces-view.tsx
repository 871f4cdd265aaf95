import { useEffect, useState } from 'react';
import type { TraceDetail, TraceSpan, TraceSummary } from '@hypernode/events';
import { AnsiText, formatClock, formatDuration, serviceColour, type SupervisorClient } from '@hypernode/ui/dashboard';
import { formatRoute, logsLink, traceLink, type Route } from '../route.js';
import { orderSpans } from '../waterfall.js';

function Waterfall({ detail }: { detail: TraceDetail }) {
  if (detail.spans.length === 0) return <p className="muted">This trace has no spans.</p>;
  const start = Math.min(...detail.spans.map((s) => s.start));
  const end = Math.max(...detail.spans.map((s) => s.end));
  const total = Math.max(end - start, 0.001);
  const rows = orderSpans(detail.spans);
  const services = [...new Set(detail.spans.map((s) => s.service))];
  return (
    <div className="waterfall" role="table" aria-label={`Waterfall of trace ${detail.traceId}`}>
      <div className="span-row" role="row">
        <span role="columnheader" className="muted">
          span · {services.map((s, i) => (
            <span key={s} style={{ color: serviceColour(s) }}>
              {i > 0 ? ', ' : ''}
              {s}
            </span>
          ))}
        </span>
        <span role="columnheader" className="muted">
          0 — {formatDuration(total)}
        </span>
      </div>
      {rows.map(({ span, depth }: { span: TraceSpan; depth: number }) => (
        <div key={span.spanId} className="span-row" role="row" data-span={span.spanId}>
          <span role="cell" className="span-label" style={{ paddingLeft: `${depth * 0.9}rem` }} title={`${span.service}: ${span.name}`}>
            <span style={{ color: serviceColour(span.service), fontWeight: 600 }}>{span.service}</span> {span.name}
          </span>
          <span role="cell" className="span-track">
            <span
              className={`span-bar${span.status === 'error' ? ' error' : ''}`}
              style={{ left: `${((span.start - start) / total) * 100}%`, width: `${Math.max(((span.end - span.start) / total) * 100, 0.3)}%`, background: serviceColour(span.service) }}
              aria-label={`${span.name}: ${formatDuration(span.end - span.start)} from ${formatDuration(span.start - start)}${span.status === 'error' ? ', error' : ''}`}
              role="img"
            />
            <span className="span-time">{formatDuration(span.end - span.start)}</span>
          </span>
        </div>
      ))}
    </div>
  );
}

/** The traces view: recent traces (filter by deployment) and one waterfall with the trace's log lines. */
export function TracesView({ client, route, navigate }: { client: SupervisorClient | undefined; route: Route; navigate: (hash: string) => void }) {
  const [traces, setTraces] = useState<TraceSummary[]>();
  const [detail, setDetail] = useState<TraceDetail | null>();
  const [problem, setProblem] = useState<string>();
  const [deployment, setDeployment] = useState(route.deploymentId ?? '');
  useEffect(() => setDeployment(route.deploymentId ?? ''), [route.deploymentId]);

  useEffect(() => {
    if (!client) return;
    let live = true;
    client.traces(route.deploymentId).then(
      (list) => live && (setTraces(list.traces), setProblem(undefined)),
      (e: Error) => live && (setTraces([]), setProblem(e.message)),
    );
    return () => {
      live = false;
    };
  }, [client, route.deploymentId]);

  useEffect(() => {
    if (!client || !route.traceId) return setDetail(undefined);
    let live = true;
    client.trace(route.traceId).then(
      (found) => live && setDetail(found ?? null),
      (e: Error) => live && (setDetail(null), setProblem(e.message)),
    );
    return () => {
      live = false;
    };
  }, [client, route.traceId]);

  // A deployment filter that matches exactly one trace opens it.
  useEffect(() => {
    if (route.deploymentId && !route.traceId && traces?.length === 1) navigate(formatRoute({ view: 'traces', deploymentId: route.deploymentId, traceId: traces[0]!.traceId }));
  }, [traces, route.deploymentId, route.traceId, navigate]);

  return (
    <section aria-labelledby="traces-heading">
      <div className="section-head">
        <h2 id="traces-heading">Traces</h2>
        <form
          className="endpoints"
          onSubmit={(e) => {
            e.preventDefault();
            navigate(formatRoute({ view: 'traces', deploymentId: deployment.trim() || undefined }));
          }}
        >
          <label>
            Deployment id <input type="text" value={deployment} onChange={(e) => setDeployment(e.target.value)} placeholder="uuid" />
          </label>
          <button type="submit" className="button">
            Filter
          </button>
        </form>
      </div>
      {!client && <p className="notice warn">Traces need `npm start` (the stack supervisor receives them).</p>}
      {problem && (
        <p className="notice warn" role="status">
          {problem}
        </p>
      )}
      <div className="trace-layout">
        <nav aria-label="Recent traces">
          {traces === undefined && client ? (
            <p aria-busy="true">Loading traces…</p>
          ) : !traces || traces.length === 0 ? (
            <p className="muted" data-testid="no-traces">
              No traces{route.deploymentId ? ` for deployment ${route.deploymentId}` : ''}.
            </p>
          ) : (
            <ul className="trace-list">
              {traces.map((t) => (
                <li key={t.traceId}>
                  <a href={formatRoute({ view: 'traces', traceId: t.traceId, deploymentId: route.deploymentId })} aria-current={t.traceId === route.traceId ? 'true' : undefined}>
                    <strong>
                      {t.error && <span className="error">✕ </span>}
                      {t.rootName}
                    </strong>
                    <span className="muted">
                      {formatClock(t.start)} · {formatDuration(t.durationMs)} · {t.spanCount} spans · {t.services.join(', ')}
                    </span>
                  </a>
                </li>
              ))}
            </ul>
          )}
        </nav>
        <div>
          {route.traceId && detail === null && <p className="muted">Trace {route.traceId} was not found (the supervisor keeps recent traces only).</p>}
          {detail && (
            <div style={{ display: 'grid', gap: 'var(--hn-space-3)' }}>
              <h3>
                Trace <code>{detail.traceId}</code>
              </h3>
              <Waterfall detail={detail} />
              <h3>Log lines of this trace</h3>
              {detail.logs.length === 0 ? (
                <p className="muted">No log line carries this trace id.</p>
              ) : (
                <ul className="trace-list">
                  {detail.logs.map((l) => (
                    <li key={l.seq} className="log-row" style={{ whiteSpace: 'normal' }}>
                      <span className="time">{formatClock(l.time)}</span>
                      <a className="svc" style={{ color: serviceColour(l.service) }} href={logsLink([l.service], undefined, l.traceId ?? '')}>
                        {l.service}
                      </a>
                      <span className="lvl" data-level={l.level}>
                        {l.level.toUpperCase()}
                      </span>
                      <span className="msg">
                        <AnsiText text={l.message} />
                      </span>
                    </li>
                  ))}
                </ul>
              )}
            </div>
          )}
          {!route.traceId && traces && traces.length > 0 && <p className="muted">Choose a trace to see its waterfall.</p>}
        </div>
      </div>
    </section>
  );
}

export { traceLink };

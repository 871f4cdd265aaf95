import { useEffect, useMemo, useState } from 'react';
import type { TraceDetail, TraceSummary } from '@hypernode/events';
import { AnsiText, formatClock, formatDuration, serviceColour, type SupervisorClient } from '@hypernode/ui/dashboard';
import { formatRoute, logsLink, traceLink, type Route } from '../route.js';
import { waterfallRows, type WaterfallRow } from '../waterfall.js';

function SpanBar({ left, width, colour, error, label, faint }: { left: number; width: number; colour: string; error: boolean; label: string; faint?: boolean }) {
  return <span className={`span-bar${error ? ' error' : ''}${faint ? ' faint' : ''}`} style={{ left: `${left}%`, width: `${Math.max(width, 0.3)}%`, background: colour }} aria-label={label} role="img" />;
}

/**
 * One trace as a waterfall; repeated sibling spans (the engine's follow steps, their queries)
 * fold into one row with their count and total time, unfolded on request.
 */
function Waterfall({ detail }: { detail: TraceDetail }) {
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());
  const rows = useMemo(() => waterfallRows(detail.spans, expanded), [detail.spans, expanded]);
  if (detail.spans.length === 0) return <p className="muted">This trace has no spans.</p>;
  const start = Math.min(...detail.spans.map((s) => s.start));
  const end = Math.max(...detail.spans.map((s) => s.end));
  const total = Math.max(end - start, 0.001);
  const services = [...new Set(detail.spans.map((s) => s.service))];
  const pct = (t: number) => ((t - start) / total) * 100;
  const toggle = (id: string) =>
    setExpanded((set) => {
      const next = new Set(set);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  return (
    <div className="waterfall" role="table" aria-label={`Waterfall of trace ${detail.traceId}`}>
      <div className="span-row" role="row">
        <span role="columnheader" className="muted">
          span · {services.map((s, i) => (
            <span key={s} style={{ color: serviceColour(s) }}>
              {i > 0 ? ', ' : ''}
              {s}
            </span>
          ))}{' '}
          · {detail.spans.length} spans
        </span>
        <span role="columnheader" className="muted">
          0 — {formatDuration(total)}
        </span>
      </div>
      {rows.map((row: WaterfallRow) =>
        row.kind === 'span' ? (
          <div key={row.span.spanId} className="span-row" role="row" data-span={row.span.spanId}>
            <span role="cell" className="span-label" style={{ paddingLeft: `${row.depth * 0.9}rem` }} title={`${row.span.service}: ${row.span.name}`}>
              <span style={{ color: serviceColour(row.span.service), fontWeight: 600 }}>{row.span.service}</span> {row.span.name}
            </span>
            <span role="cell" className="span-track">
              <SpanBar
                left={pct(row.span.start)}
                width={((row.span.end - row.span.start) / total) * 100}
                colour={serviceColour(row.span.service)}
                error={row.span.status === 'error'}
                label={`${row.span.name}: ${formatDuration(row.span.end - row.span.start)} from ${formatDuration(row.span.start - start)}${row.span.status === 'error' ? ', error' : ''}`}
              />
              <span className="span-time">{formatDuration(row.span.end - row.span.start)}</span>
            </span>
          </div>
        ) : (
          <div key={row.id} className="span-row span-group" role="row" data-group={row.id} data-count={row.spans.length}>
            <span role="cell" className="span-label" style={{ paddingLeft: `${row.depth * 0.9}rem` }} title={`${row.service}: ${row.name}, ${row.spans.length} spans`}>
              <button type="button" className="link-button" aria-expanded={row.expanded} onClick={() => toggle(row.id)} aria-label={`${row.service} ${row.name} ×${row.spans.length}: ${row.expanded ? 'fold' : 'unfold'}`}>
                <span style={{ color: serviceColour(row.service), fontWeight: 600 }}>{row.service}</span> {row.name} ×{row.spans.length}
              </button>
            </span>
            <span role="cell" className="span-track">
              <SpanBar
                faint
                left={pct(row.start)}
                width={((row.end - row.start) / total) * 100}
                colour={serviceColour(row.service)}
                error={row.error}
                label={`${row.spans.length} × ${row.name}: ${formatDuration(row.totalMs)} in total, between ${formatDuration(row.start - start)} and ${formatDuration(row.end - start)}${row.error ? ', one or more with an error' : ''}`}
              />
              <span className="span-time">Σ {formatDuration(row.totalMs)}</span>
            </span>
          </div>
        ),
      )}
    </div>
  );
}

/** A trace whose newest span ended less than this long ago may still be receiving spans… */
const TRACE_GROWING_MS = 30_000;
/** …and is read again this often while it is open. */
const TRACE_REFRESH_MS = 2_000;

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

  // The open trace, read again while it may still grow: the services export spans in batches,
  // so a trace opened while its deployment runs (or just after) fills in over a few seconds.
  useEffect(() => {
    if (!client || !route.traceId) return setDetail(undefined);
    const traceId = route.traceId;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = () =>
      client.trace(traceId).then(
        (found) => {
          if (!live) return;
          setDetail(found ?? null);
          const newest = found ? Math.max(...found.spans.map((s) => s.end)) : -Infinity;
          if (found && Date.now() - newest < TRACE_GROWING_MS) timer = setTimeout(() => void load(), TRACE_REFRESH_MS);
        },
        (e: Error) => live && (setDetail(null), setProblem(e.message)),
      );
    void load();
    return () => {
      live = false;
      clearTimeout(timer);
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

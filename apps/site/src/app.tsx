import { useCallback, useEffect, useRef, useState } from 'react';
import type { DeploymentRecord, DeploymentState, HypernodeEvent, NodeRecord } from '@hypernode/events';
import { NotSignedInError, RequireSignIn, SignOutButton, StatusBadge, useEventStream, useSession, type SessionState } from '@hypernode/ui';
import { ShortcutHelp, ThemeToggle, useShortcuts, useTheme } from '@hypernode/ui/dashboard';
import { API_URL, applyHealth, INSTANCE, loadDashboard, NO_CONFIG, SUPERVISOR_URL, upsert, WS_URL, type ServiceRow } from './api.js';
import { formatRoute, parseRoute, type Route, type View } from './route.js';
import { DeploymentsTable, NodesTable } from './tables.js';
import { useSupervisor } from './use-supervisor.js';
import { LogsView } from './views/logs-view.js';
import { ServicesView } from './views/services-view.js';
import { TracesView } from './views/traces-view.js';

/** The site: the sign-in page until someone is signed in (`#sign-in=…` or a pasted key), then the dashboard. */
export function App() {
  const session = useSession(API_URL);
  const theme = useTheme();
  if (!API_URL) {
    return (
      <p role="alert" className="error">
        {NO_CONFIG}
      </p>
    );
  }
  return (
    <RequireSignIn apiUrl={API_URL} session={session}>
      <Dashboard apiUrl={API_URL} session={session} theme={theme} />
    </RequireSignIn>
  );
}

const NAV: Array<{ view: View; label: string }> = [
  { view: 'services', label: 'Services' },
  { view: 'logs', label: 'Logs' },
  { view: 'traces', label: 'Traces' },
  { view: 'deployments', label: 'Deployments' },
];

/** React hook: the route in the URL fragment (back/forward work; a reload keeps the view and its filters). */
function useRoute(): [Route, (hash: string) => void] {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onHash = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  // The state follows at once, not only on the (asynchronous) hashchange: a controlled input that
  // navigates (a service's checkbox) must not show its old value in between.
  const navigate = useCallback((hash: string) => {
    if (location.hash !== hash) location.hash = hash;
    setRoute(parseRoute(hash));
  }, []);
  return [route, navigate];
}

/** The dashboard: services (honest state, actions), logs, traces, deployments and GPU nodes, all live. */
function Dashboard({ apiUrl, session, theme }: { apiUrl: string; session: SessionState; theme: ReturnType<typeof useTheme> }) {
  const [services, setServices] = useState<ServiceRow[]>([]);
  const [nodes, setNodes] = useState<NodeRecord[]>([]);
  const [deployments, setDeployments] = useState<DeploymentRecord[]>([]);
  const [filter, setFilter] = useState<DeploymentState | ''>('');
  const [error, setError] = useState<string>();
  const [route, navigate] = useRoute();
  const [help, setHelp] = useState(false);
  const [paused, setPaused] = useState(false);
  const searchRef = useRef<HTMLInputElement>(null);

  const { signedOut } = session;
  const reload = useCallback(() => {
    loadDashboard().then(
      (data) => {
        setServices(data.services);
        setNodes(data.nodes);
        setDeployments(data.deployments);
        setError(undefined);
      },
      (e: Error) => (e instanceof NotSignedInError ? signedOut() : setError(e.message)),
    );
  }, [signedOut]);
  useEffect(reload, [reload]);

  const onEvent = useCallback((event: HypernodeEvent) => {
    const data = event.data as Partial<{ deployment: DeploymentRecord; node: NodeRecord; services: Parameters<typeof applyHealth>[1] }>;
    if (data.deployment) setDeployments((list) => upsert(list, data.deployment!));
    if (data.node) setNodes((list) => upsert(list, data.node!));
    if (data.services) setServices((list) => applyHealth(list, data.services!));
  }, []);
  const status = useEventStream(WS_URL, ['services', 'nodes', 'deployments'], onEvent, reload);
  const supervisor = useSupervisor(SUPERVISOR_URL);
  const isAdmin = session.who?.scopes.includes('admin') ?? false;

  useShortcuts((shortcut) => {
    if (shortcut.id === 'help') setHelp(true);
    else if (shortcut.id === 'theme') theme.cycle();
    else if (shortcut.id === 'pause') setPaused((p) => !p);
    else if (shortcut.id === 'search') {
      if (route.view !== 'logs') navigate(formatRoute({ view: 'logs' }));
      setTimeout(() => searchRef.current?.focus(), 0);
    } else if (shortcut.id.startsWith('go-')) navigate(formatRoute({ view: shortcut.id.slice(3) as View }));
  });

  // Each view names itself in the title, so history and screen readers tell them apart.
  useEffect(() => {
    document.title = `${NAV.find((n) => n.view === route.view)!.label} · Hypernode`;
  }, [route.view]);

  const names = supervisor.services.length > 0 ? supervisor.services.map((s) => s.name) : services.filter((s) => s.kind !== 'infra' && s.kind !== 'blockchain').map((s) => s.name);

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <div className="brand">
          <h1>Hypernode</h1>
          {INSTANCE.slot !== undefined && (
            <p className="instance">
              Instance {INSTANCE.slot}
              {INSTANCE.checkout ? ` · ${INSTANCE.checkout}` : ''}
            </p>
          )}
        </div>
        <nav className="app-nav" aria-label="Dashboard">
          <ul>
            {NAV.map((n) => (
              <li key={n.view}>
                <a href={formatRoute({ view: n.view })} aria-current={route.view === n.view ? 'page' : undefined}>
                  {n.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="header-tools">
          <p aria-live="polite">
            Live updates: <StatusBadge status={status} />
          </p>
          <p>
            <span className="hide-narrow">
              Signed in{session.who?.name ? ` as ${session.who.name}` : ''} ({session.who?.scopes.join(', ')}){' '}
            </span>
            <SignOutButton apiUrl={apiUrl} onSignedOut={session.signedOut} />
          </p>
          <ThemeToggle choice={theme.choice} onCycle={theme.cycle} />
          <button type="button" className="button-ghost" onClick={() => setHelp(true)} aria-label="Keyboard shortcuts (?)" title="Keyboard shortcuts (?)">
            ?
          </button>
        </div>
      </header>
      <main id="main" className="view app-main" tabIndex={-1}>
        {error && (
          <p role="alert" className="error">
            {error} <button onClick={reload}>Retry</button>
          </p>
        )}
        {route.view === 'services' && <ServicesView ports={services} supervisor={supervisor} isAdmin={isAdmin} />}
        {route.view === 'logs' &&
          (supervisor.client && (supervisor.available !== false || supervisor.answered) ? (
            <LogsView client={supervisor.client} names={names} route={route} navigate={navigate} paused={paused} onPause={setPaused} searchRef={searchRef} />
          ) : (
            <section aria-labelledby="logs-heading">
              <h2 id="logs-heading">Logs</h2>
              <p className="notice warn" role="status" data-testid="no-supervisor">
                Logs and actions need <code>npm start</code>: {SUPERVISOR_URL ? `the stack supervisor at ${SUPERVISOR_URL} does not answer` : 'the stack supervisor runs in development only, and this page’s server names none (VITE_SUPERVISOR_URL)'}. A bare <code>nx run-many -t serve</code> prints each service&apos;s output in its terminal.
              </p>
            </section>
          ))}
        {route.view === 'traces' && <TracesView client={supervisor.available ? supervisor.client : undefined} route={route} navigate={navigate} />}
        {route.view === 'deployments' && (
          <>
            <section aria-labelledby="deployments-heading">
              <h2 id="deployments-heading">Deployments</h2>
              <DeploymentsTable deployments={deployments} filter={filter} onFilter={setFilter} />
            </section>
            <section aria-labelledby="nodes-heading">
              <h2 id="nodes-heading">GPU nodes</h2>
              <NodesTable nodes={nodes} deployments={deployments} />
            </section>
          </>
        )}
      </main>
      <ShortcutHelp open={help} onClose={() => setHelp(false)} />
    </>
  );
}

import type { DeploymentRecord, DeploymentState, NodeRecord } from '@hypernode/events';
import { DEPLOYMENT_STATES } from '@hypernode/events';
import { ProgressBar, StatusBadge } from '@hypernode/ui';
import { formatRoute } from './route.js';

/** GPU nodes. */
export function NodesTable({ nodes, deployments }: { nodes: NodeRecord[]; deployments: DeploymentRecord[] }) {
  if (nodes.length === 0) return <p>No GPU nodes yet: start one with <code>npx nx run gpu-worker:serve</code> (npm start runs one).</p>;
  return (
    <div className="table-wrap" role="region" aria-label="GPU nodes table" tabIndex={0}><table aria-label="GPU nodes">
      <thead><tr><th>node</th><th>status</th><th>GPU</th><th>free VRAM</th><th>deployment</th></tr></thead>
      <tbody>
        {nodes.map((n) => {
          const current = deployments.find((d) => d.nodeId === n.id && (d.status === 'scheduled' || d.status === 'running'));
          return (
            <tr key={n.id}>
              <td>{n.name}</td><td><StatusBadge status={n.status} /></td><td>{n.gpuModel}</td><td>{n.freeVramGb} / {n.vramGb} GB</td><td>{current ? current.model : '—'}</td>
            </tr>
          );
        })}
      </tbody>
    </table></div>
  );
}

/** Deployments with state and progress, filterable by state. */
export function DeploymentsTable({ deployments, filter, onFilter }: { deployments: DeploymentRecord[]; filter: DeploymentState | ''; onFilter: (f: DeploymentState | '') => void }) {
  const shown = filter ? deployments.filter((d) => d.status === filter) : deployments;
  return (
    <>
      <label>
        Show{' '}
        <select value={filter} onChange={(e) => onFilter(e.target.value as DeploymentState | '')}>
          <option value="">all states</option>
          {DEPLOYMENT_STATES.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
      </label>
      {shown.length === 0 ? (
        <p>No deployments{filter ? ` in state ${filter}` : ''}: create one in the LLM deployer.</p>
      ) : (
        <div className="table-wrap" role="region" aria-label="Deployments table" tabIndex={0}><table aria-label="Deployments">
          <thead><tr><th>model</th><th>state</th><th>progress</th><th>created</th><th>trace</th></tr></thead>
          <tbody>
            {shown.map((d) => (
              <tr key={d.id} data-deployment={d.id}>
                <td>{d.model}</td><td><StatusBadge status={d.status} /></td>
                <td><ProgressBar value={d.progress} label={`${d.model} progress`} /> {Math.round(d.progress)}%</td>
                <td>{new Date(d.createdAt).toLocaleTimeString()}</td>
                <td><a href={formatRoute({ view: 'traces', deploymentId: d.id })} aria-label={`Trace of ${d.model}`}>trace</a></td>
              </tr>
            ))}
          </tbody>
        </table></div>
      )}
    </>
  );
}

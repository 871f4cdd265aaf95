import Link from 'next/link';
import { fetchDeployment } from '../../api';
import { LiveDeployments } from '../../live-deployments';

export const dynamic = 'force-dynamic';

/** One deployment, server-rendered, then live, with its cancel button. */
export default async function DeploymentPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { deployment, error } = await fetchDeployment(id);
  return (
    <main>
      <p><Link href="/">← all deployments</Link></p>
      <h1>{deployment ? deployment.model : 'Deployment'}</h1>
      {error && <p role="alert">{error}</p>}
      {deployment && (
        <>
          <dl>
            <dt>Id</dt><dd>{deployment.id}</dd>
            <dt>VRAM needed</dt><dd>{deployment.minVramGb} GB</dd>
            <dt>GPU</dt><dd>{deployment.gpuModel ?? 'any'}</dd>
          </dl>
          <LiveDeployments initial={[deployment]} only={deployment.id} />
        </>
      )}
    </main>
  );
}

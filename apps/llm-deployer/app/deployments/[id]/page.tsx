import Link from 'next/link';
import { LiveDeployments } from '../../live-deployments';
import { fetchDeployment } from '../../server-api';
import { SignInGate, SignOut } from '../../sign-in-gate';

export const dynamic = 'force-dynamic';

/** One deployment, server-rendered, then live, with its cancel button. */
export default async function DeploymentPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { deployment, error, signedIn } = await fetchDeployment(id);
  if (!signedIn) return <SignInGate />;
  return (
    <main>
      <p><Link href="/">← all deployments</Link> <SignOut /></p>
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

/** Where the backend lives; set by serve.ts from the port registry (an explicit env var wins). */
const apiUrl = import.meta.env.VITE_BACKEND_API_URL as string | undefined;
const wsUrl = import.meta.env.VITE_BACKEND_WS_URL as string | undefined;

/** The site dashboard's shell; the live port map, nodes and deployments come with the frontend issue. */
export function App() {
  return (
    <main>
      <h1>Hypernode</h1>
      <p>API: {apiUrl ?? 'not configured'}</p>
      <p>Realtime: {wsUrl ?? 'not configured'}</p>
    </main>
  );
}

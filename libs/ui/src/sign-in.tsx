import { useCallback, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { signInFromLocation, signInWithKey, signOut, whoAmI, type SignedIn } from './auth-client.js';

/** The sign-in page both frontends show when nobody is signed in. */
export function SignInPage({ apiUrl, onSignedIn, error }: { apiUrl: string; onSignedIn: (who: SignedIn) => void; error?: string }) {
  const [key, setKey] = useState('');
  const [problem, setProblem] = useState(error);
  const [busy, setBusy] = useState(false);
  useEffect(() => setProblem(error), [error]);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      onSignedIn(await signInWithKey(apiUrl, key));
    } catch (e) {
      setProblem((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="sign-in">
      <h1>Sign in to Hypernode</h1>
      <p>
        Open the sign-in URL <code>npm start</code> printed, or paste an API key (<code>npx hypernode keys create --name me --scope deploy</code>).
      </p>
      <form onSubmit={(e) => void submit(e)}>
        <label>
          API key <input name="key" type="password" autoComplete="off" placeholder="hn_…" value={key} onChange={(e) => setKey(e.target.value)} required />
        </label>
        <button type="submit" disabled={busy || key.trim() === ''}>
          Sign in
        </button>
      </form>
      {problem && <p role="alert" className="error">{problem}</p>}
    </main>
  );
}

/** The sign-out button: ends the session, then calls `onSignedOut` (show the sign-in page). */
export function SignOutButton({ apiUrl, onSignedOut }: { apiUrl: string; onSignedOut: () => void }) {
  return (
    <button type="button" className="sign-out" onClick={() => void signOut(apiUrl).then(onSignedOut)}>
      Sign out
    </button>
  );
}

/** Sign-in state: `undefined` while checking, `null` when nobody is signed in. */
export interface SessionState {
  who: SignedIn | null | undefined;
  error?: string;
  signedIn: (who: SignedIn) => void;
  /** Call when the api answered 401 (the session ended): shows the sign-in page. */
  signedOut: () => void;
}

/** React hook: signs in from `#sign-in=…` when present, else asks the api who is signed in. */
export function useSession(apiUrl: string | undefined): SessionState {
  const [who, setWho] = useState<SignedIn | null | undefined>(undefined);
  const [error, setError] = useState<string>();
  useEffect(() => {
    if (!apiUrl) return;
    let live = true;
    (async () => (await signInFromLocation(apiUrl)) ?? (await whoAmI(apiUrl)))().then(
      (found) => live && setWho(found ?? null),
      (e: Error) => {
        if (!live) return;
        setError(e.message);
        setWho(null);
      },
    );
    return () => {
      live = false;
    };
  }, [apiUrl]);
  const signedIn = useCallback((found: SignedIn) => (setError(undefined), setWho(found)), []);
  const signedOut = useCallback(() => setWho(null), []);
  return { who, error, signedIn, signedOut };
}

/** Renders `children` when signed in, the sign-in page when not, a short note while checking. */
export function RequireSignIn({ apiUrl, session, children }: { apiUrl: string; session: SessionState; children: ReactNode }) {
  if (session.who === undefined) return <p aria-busy="true">Checking sign-in…</p>;
  if (session.who === null) return <SignInPage apiUrl={apiUrl} onSignedIn={session.signedIn} error={session.error} />;
  return <>{children}</>;
}

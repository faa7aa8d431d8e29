// Sign in: email and password; the API's own message on failure (one generic text for a wrong email or
// password, the wait on 429). Success goes back to the page that asked for it.
import { useState } from 'preact/hooks';
import { ApiError, request, safeNext, type Session } from '../api.ts';
import { navigate, useLocation } from '../router.ts';
import { remember, useSession } from '../session.ts';
import { useTitle } from '../ui.tsx';

export function SignIn() {
  useTitle('Sign in');
  const { setSession } = useSession();
  const location = useLocation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const state = location.state as { reason?: string; signedOut?: boolean } | null;
  const next = safeNext(location.query.get('next'));

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    setBusy(true);
    try {
      const session = await request<Session>('POST', '/session', { email, password }, { on401: 'throw' });
      remember(session);
      setSession(session);
      navigate(next, { replace: true });
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 429) {
        setError(failure.retryAfter !== undefined && !/\d+ seconds?/.test(failure.message)
          ? `${failure.message} (try again in ${failure.retryAfter} seconds)` : failure.message);
      } else {
        setError(failure instanceof Error ? failure.message : String(failure));
      }
      setBusy(false);
    }
  };

  return <main id="main" class="sign-in">
    <form class="panel" onSubmit={(event) => void submit(event)} aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in to Spyglass</h1>
      {state?.signedOut === true ? <p role="status" class="note">You are signed out.</p> : null}
      {state?.reason !== undefined && error === undefined ? <p role="status" class="note">{state.reason}</p> : null}
      {next !== '/' ? <p class="muted">After signing in you return to {next}.</p> : null}
      <label for="email">Email</label>
      <input id="email" name="email" type="email" autoComplete="username" required value={email} onInput={(event) => setEmail((event.target as HTMLInputElement).value)} />
      <label for="password">Password</label>
      <input id="password" name="password" type="password" autoComplete="current-password" required value={password} onInput={(event) => setPassword((event.target as HTMLInputElement).value)} />
      {error !== undefined ? <p class="error" role="alert">{error}</p> : null}
      <button type="submit" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
    </form>
  </main>;
}

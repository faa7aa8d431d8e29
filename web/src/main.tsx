// The dashboard: a Preact single-page app on the documented /api/v1 endpoints. Everything the API returns is
// rendered as text (JSX escapes it); links to API-given URLs are limited to http(s).
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, request, signInUrl, type Session } from './api.ts';
import { match, navigate, useLocation } from './router.ts';
import { remember, SessionContext } from './session.ts';
import { Layout } from './layout.tsx';
import { SignIn } from './pages/sign-in.tsx';
import { ImagesPage } from './pages/images.tsx';
import { ImagePage } from './pages/image.tsx';
import { VulnerabilityPage } from './pages/vulnerability.tsx';
import { RepositoriesPage } from './pages/repositories.tsx';
import { IntegrationsPage } from './pages/integrations.tsx';
import { NotificationsPage } from './pages/notifications.tsx';
import { NotFound } from './pages/not-found.tsx';
import { PoliciesPage } from './pages/policies.tsx';
import { EnvironmentsPage } from './pages/environments.tsx';
import { ErrorMessage, Loading } from './ui.tsx';

/** Replaces the address after rendering (never while rendering). */
function Redirect(props: { to: string }) {
  useEffect(() => navigate(props.to, { replace: true }), [props.to]);
  return <Loading />;
}

function Routes(props: { session: Session; pathname: string }) {
  const { pathname } = props;
  let params: Record<string, string> | undefined;
  if (pathname === '/' || pathname === '') {
    const first = props.session.orgs[0];
    if (first !== undefined) return <Redirect to={`/orgs/${encodeURIComponent(first.name)}/images`} />;
    return <main id="main" class="page"><h1>No organization</h1><p>You are not a member of any organization yet; ask an Owner to add you.</p></main>;
  }
  const orgOf = (org: string) => props.session.orgs.find((entry) => entry.name === org);
  const pages: [string, (params: Record<string, string>) => preact.JSX.Element][] = [
    ['/orgs/:org', (p) => <Redirect to={`/orgs/${encodeURIComponent(p.org!)}/images`} />],
    ['/orgs/:org/images', (p) => <ImagesPage org={p.org!} />],
    ['/orgs/:org/images/:digest', (p) => <ImagePage org={p.org!} digest={p.digest!} />],
    ['/orgs/:org/images/:digest/policies', (p) => <PoliciesPage org={p.org!} digest={p.digest!} />],
    ['/orgs/:org/environments', (p) => <EnvironmentsPage org={p.org!} />],
    ['/orgs/:org/vulnerabilities/:id', (p) => <VulnerabilityPage org={p.org!} id={p.id!} />],
    ['/orgs/:org/settings/repositories', (p) => <RepositoriesPage org={p.org!} role={orgOf(p.org!)!.role} />],
    ['/orgs/:org/settings/integrations', (p) => <IntegrationsPage org={p.org!} role={orgOf(p.org!)!.role} />],
    ['/orgs/:org/settings/notifications', (p) => <NotificationsPage org={p.org!} role={orgOf(p.org!)!.role} />],
  ];
  for (const [pattern, page] of pages) {
    params = match(pattern, pathname);
    if (params === undefined) continue;
    // An organization the user is not a member of is not found, as the API answers.
    if (orgOf(params.org!) === undefined) return <Layout org={undefined}><NotFound message={`organization ${params.org!} not found`} /></Layout>;
    return <Layout org={params.org!}>{page(params)}</Layout>;
  }
  return <Layout org={undefined}><NotFound /></Layout>;
}

function App() {
  const location = useLocation();
  const [session, setSession] = useState<Session | null>(null);
  const [state, setState] = useState<'loading' | 'ready' | 'out'>('loading');
  const [error, setError] = useState<unknown>(undefined);
  const onSignIn = location.pathname === '/sign-in';

  useEffect(() => {
    if (session !== null) return;
    let live = true;
    setError(undefined);
    request<Session>('GET', '/session', undefined, { on401: 'throw' }).then(
      (found) => {
        if (!live) return;
        remember(found);
        setSession(found);
        setState('ready');
      },
      (failure: unknown) => {
        if (!live) return;
        if (failure instanceof ApiError && failure.status === 401) {
          setState('out');
          if (!onSignIn) navigate(signInUrl(), { replace: true, state: { reason: failure.message } });
        } else {
          setError(failure);
          setState('out');
        }
      },
    );
    return () => {
      live = false;
    };
  }, [session, onSignIn]);

  const update = (next: Session | null) => {
    remember(next);
    setSession(next);
    setState(next === null ? 'out' : 'ready');
  };

  let body;
  if (onSignIn) body = <SignIn />;
  else if (error !== undefined) body = <main id="main" class="page"><h1>Spyglass</h1><ErrorMessage error={error} /></main>;
  else if (state !== 'ready' || session === null) body = <main id="main" class="page"><Loading /></main>;
  else body = <Routes session={session} pathname={location.pathname} />;
  return <SessionContext.Provider value={{ session, setSession: update }}>{body}</SessionContext.Provider>;
}

render(<App />, document.getElementById('app')!);

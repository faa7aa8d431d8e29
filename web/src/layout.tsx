// Every signed-in page: the header with the organization switcher, the navigation, who is signed in and
// sign-out; a skip link to the content.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { api, ApiError } from './api.ts';
import { Link, navigate, useLocation } from './router.ts';
import { useSession } from './session.ts';

export function Layout(props: { org: string | undefined; children: ComponentChildren }) {
  const { session, setSession } = useSession();
  const location = useLocation();
  const [error, setError] = useState<string | undefined>(undefined);
  const org = props.org ?? session?.orgs[0]?.name;
  const role = session?.orgs.find((entry) => entry.name === org)?.role;
  const base = org === undefined ? '' : `/orgs/${encodeURIComponent(org)}`;
  const links: [string, string][] = org === undefined ? [] : [
    [`${base}/images`, 'Images'],
    [`${base}/environments`, 'Environments'],
    [`${base}/settings/repositories`, 'Repository settings'],
    ...(role === 'owner' ? [[`${base}/settings/integrations`, 'Integrations'], [`${base}/settings/notifications`, 'Notifications']] as [string, string][] : []),
  ];

  const switchOrg = (name: string) => {
    // The same page in the other organization, except pages of one image or vulnerability.
    const rest = props.org === undefined ? '/images' : location.pathname.slice(base.length);
    const keep = /^\/(settings\/(repositories|integrations|notifications)|environments)$/.test(rest) ? rest : '/images';
    navigate(`/orgs/${encodeURIComponent(name)}${keep}`);
  };

  const signOut = async () => {
    setError(undefined);
    try {
      await api.delete('/session');
    } catch (failure) {
      if (!(failure instanceof ApiError && failure.status === 401)) {
        setError(failure instanceof Error ? failure.message : String(failure));
        return;
      }
    }
    setSession(null);
    navigate('/sign-in', { replace: true, state: { signedOut: true } });
  };

  return <>
    <a class="skip" href="#main">Skip to content</a>
    <header class="top">
      <div class="brand">Spyglass</div>
      {session !== null && session.orgs.length > 0 ? <label class="org-switch">
        <span>Organization</span>
        <select value={org} onChange={(event) => switchOrg((event.target as HTMLSelectElement).value)}>
          {session.orgs.map((entry) => <option key={entry.name} value={entry.name}>{entry.name}</option>)}
        </select>
      </label> : null}
      <nav aria-label="Main">
        <ul>
          {links.map(([href, text]) => <li key={href}><Link href={href} aria-current={location.pathname.startsWith(href) ? 'page' : undefined}>{text}</Link></li>)}
        </ul>
      </nav>
      <div class="who">
        {session !== null ? <span class="email">{session.email}{role !== undefined ? ` · ${role}` : ''}</span> : null}
        <button type="button" class="secondary" onClick={() => void signOut()}>Sign out</button>
      </div>
    </header>
    {error !== undefined ? <p class="error" role="alert">{error}</p> : null}
    {props.children}
  </>;
}

// Notifications (Owners): where the organization is told about newly disclosed vulnerabilities. A webhook
// target's signing secret is shown once.
import { useState } from 'preact/hooks';
import { api, type SessionOrg } from '../api.ts';
import { ErrorMessage, Loading, removeItem, Section, useData, when, useTitle } from '../ui.tsx';
import { OwnersOnly } from './integrations.tsx';
import { NotFound } from './not-found.tsx';

interface Target { id: string; kind: string; url: string; repository?: string; createdAt: number }

export function NotificationsPage(props: { org: string; role: SessionOrg['role'] }) {
  useTitle(`Notifications · ${props.org}`);
  const base = `/orgs/${encodeURIComponent(props.org)}/notifications`;
  const owner = props.role === 'owner';
  const { data, error, notFound, reload } = useData(() => (owner ? api.get<{ targets: Target[] }>(base) : Promise.resolve({ targets: [] })), [props.org, owner]);
  const [form, setForm] = useState({ kind: 'webhook', url: '', repository: '' });
  const [secret, setSecret] = useState<string | null | undefined>(undefined);
  const [actionError, setActionError] = useState<unknown>(undefined);
  if (!owner) return <OwnersOnly org={props.org} what="Notifications" />;
  if (notFound !== undefined) return <NotFound message={notFound} />;
  const field = (key: keyof typeof form) => (event: Event) => setForm({ ...form, [key]: (event.target as HTMLInputElement).value });

  const submit = async (event: Event) => {
    event.preventDefault();
    setActionError(undefined);
    setSecret(undefined);
    try {
      const created = await api.post<{ id: string; secret: string | null }>(base, { kind: form.kind, url: form.url, ...(form.repository !== '' ? { repository: form.repository } : {}) });
      setSecret(created.secret);
      setForm({ ...form, url: '' });
      reload();
    } catch (failure) {
      setActionError(failure);
    }
  };
  const remove = (id: string) => removeItem(base, id, reload, setActionError);

  return <main id="main" class="page">
    <h1>Notifications</h1>
    <ErrorMessage error={error} />
    {secret !== undefined ? <div class="panel secret" role="status">
      <h2>Target added</h2>
      {secret !== null ? <p>Signing secret (shown once; the receiver checks the HMAC-SHA256 signature with it): <code id="created-secret">{secret}</code></p> : <p>Slack targets need no secret.</p>}
    </div> : null}
    <Section title="Targets">
      {data === undefined && error === undefined ? <Loading /> : null}
      {data !== undefined && data.targets.length === 0 ? <p class="muted">No notification targets yet.</p> : null}
      {data !== undefined && data.targets.length > 0 ? <div class="table-wrap"><table>
        <thead><tr><th scope="col">Kind</th><th scope="col">URL</th><th scope="col">Repository</th><th scope="col">Created (UTC)</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>{data.targets.map((target) => <tr key={target.id}>
          <td>{target.kind}</td><td><code>{target.url}</code></td><td>{target.repository ?? 'all repositories'}</td>
          <td>{when(new Date(target.createdAt).toISOString())}</td>
          <td><button type="button" class="danger" onClick={() => void remove(target.id)}>Remove<span class="visually-hidden"> {target.url}</span></button></td>
        </tr>)}</tbody>
      </table></div> : null}
    </Section>
    <Section title="Add a target" id="add-target">
      <form class="grid-form" onSubmit={(event) => void submit(event)}>
        <label for="target-kind">Kind</label>
        <select id="target-kind" value={form.kind} onChange={field('kind')}><option value="webhook">webhook (JSON, signed)</option><option value="slack">slack (incoming webhook)</option></select>
        <label for="target-url">URL</label>
        <input id="target-url" type="url" required value={form.url} onInput={field('url')} />
        <label for="target-repository">Repository (optional: registry/name)</label>
        <input id="target-repository" value={form.repository} onInput={field('repository')} />
        <ErrorMessage error={actionError} />
        <button type="submit">Add target</button>
      </form>
    </Section>
  </main>;
}

// Integrations (Owners): the registries that tell Spyglass about pushes. A new integration's webhook URL
// and secret are shown once, right after it is made.
import { useState } from 'preact/hooks';
import { api, type SessionOrg } from '../api.ts';
import { ErrorMessage, Loading, removeItem, Section, useData, when, useTitle } from '../ui.tsx';
import { NotFound } from './not-found.tsx';

interface Integration { id: string; type: string; name: string; registry?: string; webhookUrl?: string; hasCredentials: boolean; pollIntervalSeconds?: number; createdAt: number }
interface Created { id: string; webhookUrl: string | null; secret: string | null }
const TYPES = ['distribution', 'harbor', 'artifactory', 'poller'];

export function OwnersOnly(props: { org: string; what: string }) {
  return <main id="main" class="page"><h1>{props.what}</h1><p class="note" role="note">Only Owners of {props.org} manage {props.what.toLowerCase()}.</p></main>;
}

export function IntegrationsPage(props: { org: string; role: SessionOrg['role'] }) {
  useTitle(`Integrations · ${props.org}`);
  const base = `/orgs/${encodeURIComponent(props.org)}/integrations`;
  const { data, error, notFound, reload } = useData(() => api.get<{ integrations: Integration[] }>(base), [props.org]);
  const [form, setForm] = useState({ type: 'distribution', name: '', registry: '', username: '', password: '', pollIntervalSeconds: '' });
  const [created, setCreated] = useState<Created | undefined>(undefined);
  const [actionError, setActionError] = useState<unknown>(undefined);
  if (props.role !== 'owner') return <OwnersOnly org={props.org} what="Integrations" />;
  if (notFound !== undefined) return <NotFound message={notFound} />;
  const field = (key: keyof typeof form) => (event: Event) => setForm({ ...form, [key]: (event.target as HTMLInputElement).value });

  const submit = async (event: Event) => {
    event.preventDefault();
    setActionError(undefined);
    setCreated(undefined);
    const body: Record<string, unknown> = { type: form.type, name: form.name };
    if (form.registry !== '') body.registry = form.registry;
    if (form.username !== '') body.username = form.username;
    if (form.password !== '') body.password = form.password;
    if (form.pollIntervalSeconds !== '') body.pollIntervalSeconds = Number(form.pollIntervalSeconds);
    try {
      setCreated(await api.post<Created>(base, body));
      setForm({ ...form, name: '', password: '' });
      reload();
    } catch (failure) {
      setActionError(failure);
    }
  };
  const remove = (id: string) => removeItem(base, id, reload, setActionError);

  return <main id="main" class="page">
    <h1>Integrations</h1>
    <ErrorMessage error={error} />
    {created !== undefined ? <div class="panel secret" role="status">
      <h2>Integration created</h2>
      {created.webhookUrl !== null ? <p>Webhook URL: <code>{created.webhookUrl}</code></p> : null}
      {created.secret !== null ? <p>Secret (shown once; copy it into the registry's notification settings now): <code id="created-secret">{created.secret}</code></p> : <p>A poller needs no secret.</p>}
    </div> : null}
    <Section title="Registries">
      {data === undefined && error === undefined ? <Loading /> : null}
      {data !== undefined && data.integrations.length === 0 ? <p class="muted">No integrations yet.</p> : null}
      {data !== undefined && data.integrations.length > 0 ? <div class="table-wrap"><table>
        <thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Registry</th><th scope="col">Webhook URL</th><th scope="col">Created (UTC)</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>{data.integrations.map((integration) => <tr key={integration.id}>
          <th scope="row">{integration.name}</th><td>{integration.type}</td><td>{integration.registry ?? '—'}</td>
          <td><code>{integration.webhookUrl ?? '—'}</code></td><td>{when(new Date(integration.createdAt).toISOString())}</td>
          <td><button type="button" class="danger" onClick={() => void remove(integration.id)}>Remove<span class="visually-hidden"> {integration.name}</span></button></td>
        </tr>)}</tbody>
      </table></div> : null}
    </Section>
    <Section title="Add an integration" id="add-integration">
      <form class="grid-form" onSubmit={(event) => void submit(event)}>
        <label for="integration-type">Type</label>
        <select id="integration-type" value={form.type} onChange={field('type')}>{TYPES.map((type) => <option key={type} value={type}>{type}</option>)}</select>
        <label for="integration-name">Name</label>
        <input id="integration-name" required value={form.name} onInput={field('name')} />
        <label for="integration-registry">Registry (host[:port])</label>
        <input id="integration-registry" value={form.registry} onInput={field('registry')} />
        <label for="integration-username">Username (optional)</label>
        <input id="integration-username" autoComplete="off" value={form.username} onInput={field('username')} />
        <label for="integration-password">Password or token (optional)</label>
        <input id="integration-password" type="password" autoComplete="new-password" value={form.password} onInput={field('password')} />
        {form.type === 'poller' ? <>
          <label for="integration-interval">Poll interval (seconds)</label>
          <input id="integration-interval" type="number" min="60" value={form.pollIntervalSeconds} onInput={field('pollIntervalSeconds')} />
        </> : null}
        <ErrorMessage error={actionError} />
        <button type="submit">Add integration</button>
      </form>
    </Section>
  </main>;
}

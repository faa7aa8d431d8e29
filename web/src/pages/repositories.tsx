// Repository settings: every repository seen through the integrations (or added by hand), with the
// "Enable image analysis" switch; the plan's limit; read-only for Members.
import { useState } from 'preact/hooks';
import { api, type RepositoryList, type RepositoryView, type SessionOrg } from '../api.ts';
import { ErrorMessage, Loading, useData, when, useTitle } from '../ui.tsx';
import { NotFound } from './not-found.tsx';

export function RepositoriesPage(props: { org: string; role: SessionOrg['role'] }) {
  useTitle(`Repository settings · ${props.org}`);
  const { data, error, notFound, reload } = useData(() => api.get<RepositoryList>(`/orgs/${encodeURIComponent(props.org)}/repositories`), [props.org]);
  const [actionError, setActionError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState<string | undefined>(undefined);
  const [local, setLocal] = useState<Record<string, boolean>>({});
  if (notFound !== undefined) return <NotFound message={notFound} />;
  const readOnly = props.role === 'member';

  const toggle = async (repository: RepositoryView, enabled: boolean) => {
    setActionError(undefined);
    setBusy(repository.id);
    try {
      const path = `/orgs/${encodeURIComponent(props.org)}/repositories/${encodeURIComponent(repository.id)}/activation`;
      const answer = enabled ? await api.put<RepositoryView>(path) : await api.delete<RepositoryView>(path);
      setLocal((old) => ({ ...old, [repository.id]: answer.enabled }));
      reload();
    } catch (failure) {
      setActionError(failure);
    } finally {
      setBusy(undefined);
    }
  };

  return <main id="main" class="page">
    <h1>Repository settings</h1>
    {readOnly ? <p class="note" role="note">Read-only: your role in {props.org} is member. Editors and Owners turn analysis on and off.</p> : null}
    <ErrorMessage error={error} />
    {data === undefined && error === undefined ? <Loading /> : null}
    {data !== undefined ? <>
      <p id="plan-usage" class="usage">{data.limit === null
        ? `${data.activated} repositories with analysis enabled (plan ${data.plan}: no limit)`
        : `${data.activated} of ${data.limit} used (plan ${data.plan})`}</p>
      <ErrorMessage error={actionError} />
      {data.repositories.length === 0 ? <p class="muted">No repositories yet: they appear when an integration sees a push.</p> : <div class="table-wrap"><table class="repositories">
        <thead><tr><th scope="col">Repository</th><th scope="col">Last pushed (UTC)</th><th scope="col">Source</th><th scope="col">Enable image analysis</th></tr></thead>
        <tbody>{data.repositories.map((repository) => {
          const enabled = local[repository.id] ?? repository.enabled;
          return <tr key={repository.id} data-repository={repository.repository}>
            <th scope="row">{repository.repository}</th>
            <td>{when(repository.lastPushedAt)}</td>
            <td>{repository.integrationId === null ? 'added by hand' : 'integration'}</td>
            <td>
              <label class="switch">
                <input type="checkbox" role="switch" checked={enabled} disabled={readOnly || busy === repository.id}
                  aria-label={`Enable image analysis for ${repository.repository}`}
                  onChange={(event) => {
                    const box = event.target as HTMLInputElement;
                    const wanted = box.checked;
                    box.checked = enabled; // the server decides; the row follows its answer
                    void toggle(repository, wanted);
                  }} />
                <span aria-hidden="true">{enabled ? 'On' : 'Off'}</span>
              </label>
            </td>
          </tr>;
        })}</tbody>
      </table></div>}
    </> : null}
  </main>;
}

// Images: one row per repository with its most recent image (latest=true), sorted, filtered and paged by
// the server. The filters live in the address, so a reload or a new sign-in keeps them.
import { useEffect, useState } from 'preact/hooks';
import { api, SEVERITIES, type Counts, type ImageList, type ImageSummary, type Severity } from '../api.ts';
import { Link, navigate, useLocation } from '../router.ts';
import { baseName, CountBadges, Delta, ErrorMessage, Loading, SEVERITY_LABEL, shortDigest, total, useData, when, useTitle } from '../ui.tsx';
import { NotFound } from './not-found.tsx';
import { PolicyCountsCell } from '../policy.tsx';

const PAGE_SIZE = 25;
const SORTS: [string, string][] = [
  ['repository', 'Repository'], ['pushed', 'Last pushed'], ['analysed', 'Analysed'], ['critical', 'Critical'], ['high', 'High'],
  ['medium', 'Medium'], ['low', 'Low'], ['unspecified', 'Unspecified'], ['total', 'Total'],
];

function Change(props: { image: ImageSummary }) {
  const previous = props.image.previous;
  if (previous === undefined || previous === null) return <span class="muted">first push</span>;
  const now = props.image.vulnerabilities;
  const before = previous.vulnerabilities;
  if (now === null || before === null) return <span class="muted">—</span>;
  const changed = SEVERITIES.filter((level) => (now[level] ?? 0) !== (before[level] ?? 0));
  if (changed.length === 0) return <span class="muted">no change</span>;
  return <span class="changes">{changed.map((level) => <span key={level} class="change"><Delta value={(now[level] ?? 0) - (before[level] ?? 0)} label={`${SEVERITY_LABEL[level]} since ${shortDigest(previous.digest)}`} /> {level[0]!.toUpperCase()}</span>)}</span>;
}

export function ImagesPage(props: { org: string }) {
  useTitle(`Images · ${props.org}`);
  const location = useLocation();
  const query = location.query;
  const q = query.get('q') ?? '';
  const severity = (query.get('severity') ?? '') as Severity | '';
  const sort = query.get('sort') ?? 'repository';
  const order = query.get('order') === 'desc' ? 'desc' : query.get('order') === 'asc' ? 'asc' : (sort === 'repository' ? 'asc' : 'desc');
  const page = Math.max(1, Number.parseInt(query.get('page') ?? '1', 10) || 1);
  const [name, setName] = useState(q);
  useEffect(() => setName(q), [q]);

  const params = new URLSearchParams({ latest: 'true', sort, order, limit: String(PAGE_SIZE), offset: String((page - 1) * PAGE_SIZE) });
  if (q !== '') params.set('q', q);
  if (severity !== '') params.set('severity', severity);
  const { data, error, notFound, loading } = useData(() => api.get<ImageList>(`/orgs/${encodeURIComponent(props.org)}/images?${params.toString()}`), [props.org, params.toString()]);
  if (notFound !== undefined) return <NotFound message={notFound} />;

  const go = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(location.query);
    for (const [key, value] of Object.entries(changes)) {
      if (value === undefined || value === '') next.delete(key);
      else next.set(key, value);
    }
    if (!('page' in changes)) next.delete('page');
    const search = next.toString();
    navigate(`${location.pathname}${search === '' ? '' : `?${search}`}`);
  };
  const sortBy = (key: string) => go({ sort: key, order: sort === key ? (order === 'asc' ? 'desc' : 'asc') : key === 'repository' ? 'asc' : 'desc' });
  const header = (key: string, text: string) => <th scope="col" aria-sort={sort === key ? (order === 'asc' ? 'ascending' : 'descending') : 'none'}>
    <button type="button" class="sort" onClick={() => sortBy(key)}>{text}{sort === key ? (order === 'asc' ? ' ▲' : ' ▼') : ''}</button>
  </th>;

  // From the answer itself, not the address: while the next page loads, the rows shown are still the last answer's.
  const totalRows = data === undefined ? 0 : data.total ?? data.images.length;
  const offset = data?.offset ?? (page - 1) * PAGE_SIZE;
  const first = totalRows === 0 ? 0 : offset + 1;
  const last = Math.min(totalRows, offset + (data?.images.length ?? 0));
  const pages = Math.max(1, Math.ceil(totalRows / PAGE_SIZE));

  return <main id="main" class="page">
    <h1>Images</h1>
    <form class="filters" role="search" onSubmit={(event) => {
      event.preventDefault();
      go({ q: name.trim() });
    }}>
      <label for="filter-name">Repository name</label>
      <input id="filter-name" type="search" value={name} placeholder="contains…" onInput={(event) => setName((event.target as HTMLInputElement).value)} />
      <button type="submit">Filter</button>
      <label for="filter-severity">Severity</label>
      <select id="filter-severity" value={severity} onChange={(event) => go({ severity: (event.target as HTMLSelectElement).value })}>
        <option value="">Any</option>
        {SEVERITIES.map((level) => <option key={level} value={level}>At least one {SEVERITY_LABEL[level].toLowerCase()}</option>)}
      </select>
      <label for="sort-by">Sort by</label>
      <select id="sort-by" value={sort} onChange={(event) => go({ sort: (event.target as HTMLSelectElement).value, order: undefined })}>
        {SORTS.map(([key, text]) => <option key={key} value={key}>{text}</option>)}
      </select>
    </form>
    <ErrorMessage error={error} />
    {data === undefined && error === undefined ? <Loading /> : null}
    {data !== undefined ? <>
      <p class="muted" role="status" id="images-count">{totalRows === 0 ? 'No images match.' : `Repositories ${first}–${last} of ${totalRows}`}</p>
      <div class="table-wrap">
        <table class="images" aria-busy={loading ? 'true' : 'false'}>
          <caption class="visually-hidden">Latest image of each repository</caption>
          <thead><tr>
            {header('repository', 'Repository')}
            <th scope="col">Tags</th>
            <th scope="col">Digest</th>
            <th scope="col">Platform</th>
            {header('pushed', 'Last pushed (UTC)')}
            {header('analysed', 'Analysed (UTC)')}
            <th scope="col">Base image</th>
            {header('total', 'Vulnerabilities')}
            <th scope="col">Since previous push</th>
            <th scope="col">Policies</th>
          </tr></thead>
          <tbody>
            {data.images.map((image) => <tr key={`${image.repositoryId} ${image.digest}`} data-repository={image.repository}>
              <th scope="row"><Link href={`/orgs/${encodeURIComponent(props.org)}/images/${encodeURIComponent(image.digest)}`} class="repo">{image.repository}</Link></th>
              <td>{image.tags.length === 0 ? <span class="muted">untagged</span> : image.tags.map((tag) => <span key={tag} class="tag">{tag}</span>)}</td>
              <td><code title={image.digest}>{shortDigest(image.digest)}</code></td>
              <td>{image.platform ?? '—'}</td>
              <td>{when(image.pushedAt)}</td>
              <td>{when(image.analysedAt)}</td>
              <td>{baseName(image.baseImage) ?? <span class="muted">unknown</span>}</td>
              <td><CountBadges counts={image.vulnerabilities} /> <span class="visually-hidden">{`${total(image.vulnerabilities as Counts | null)} in all`}</span></td>
              <td><Change image={image} /></td>
              <td class="policy-cell"><PolicyCountsCell policy={image.policy} before={image.previous?.policy ?? null} beforeDigest={image.previous?.digest ?? null}
                href={`/orgs/${encodeURIComponent(props.org)}/images/${encodeURIComponent(image.digest)}/policies`} /></td>
            </tr>)}
          </tbody>
        </table>
      </div>
      <nav class="pager" aria-label="Pages">
        <button type="button" disabled={page <= 1} onClick={() => go({ page: String(page - 1) })}>Previous</button>
        <span>Page {page} of {pages}</span>
        <button type="button" disabled={page >= pages} onClick={() => go({ page: String(page + 1) })}>Next</button>
      </nav>
    </> : null}
  </main>;
}

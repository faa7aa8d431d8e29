// One image: the quickview (your image, base, refreshed base, updated base with deltas), a severity chart,
// the repository's vulnerabilities over time, layers, packages, vulnerabilities and the re-evaluation history.
import { useState } from 'preact/hooks';
import { api, SEVERITIES, type Counts, type EvaluationView, type HistoryView, type ImageDetail, type RecommendationView } from '../api.ts';
import { HistoryChart, SeverityChart } from '../charts.tsx';
import { Link } from '../router.ts';
import { baseName, bytes, CountBadges, Delta, ErrorMessage, Loading, Section, SeverityBadge, SEVERITY_LABEL, shortDigest, total, useData, when, useTitle } from '../ui.tsx';
import { NotFound } from './not-found.tsx';
import { PolicyCountsCell } from '../policy.tsx';

function minus(counts: Counts | undefined, delta: Counts | undefined): Counts | undefined {
  if (counts === undefined || delta === undefined) return undefined;
  const result = {} as Counts;
  for (const level of SEVERITIES) result[level] = (counts[level] ?? 0) - (delta[level] ?? 0);
  return result;
}

function QuickCard(props: { title: string; name: string | null; counts?: Counts | null; delta?: Counts; note?: string; sizeDelta?: number }) {
  return <div class="card">
    <h3>{props.title}</h3>
    <p class="card-name">{props.name ?? <span class="muted">unknown</span>}</p>
    {props.counts !== undefined && props.counts !== null ? <CountBadges counts={props.counts} /> : null}
    {props.delta !== undefined ? <p class="deltas">{SEVERITIES.map((level) => <span key={level} class="delta-item">
      <Delta value={props.delta![level] ?? 0} label={`${SEVERITY_LABEL[level]} against the current base`} /> {level[0]!.toUpperCase()}
    </span>)}</p> : null}
    {props.note !== undefined ? <p class="muted small">{props.note}</p> : null}
  </div>;
}

function Quickview(props: { image: ImageDetail }) {
  const recommendations = props.image.recommendations?.recommendations ?? [];
  const refreshed = recommendations.find((r) => r.kind === 'refreshed');
  const updated = recommendations.find((r) => r.kind === 'updated');
  const anyRecommendation: RecommendationView | undefined = refreshed ?? updated;
  const baseCounts = props.image.recommendations?.current?.counts ?? minus(anyRecommendation?.counts, anyRecommendation?.delta);
  const notes = props.image.recommendations?.notes ?? [];
  return <Section title="Quickview">
    <div class="cards">
      <QuickCard title="Your image" name={`${props.image.repository}${props.image.tags[0] !== undefined ? `:${props.image.tags[0]}` : `@${shortDigest(props.image.digest)}`}`} counts={props.image.vulnerabilities} />
      <QuickCard title="Base image" name={baseName(props.image.baseImage)} {...(baseCounts !== undefined ? { counts: baseCounts } : {})} />
      <QuickCard title="Refreshed base image" name={refreshed?.name ?? null} {...(refreshed?.counts !== undefined ? { counts: refreshed.counts } : {})}
        {...(refreshed?.delta !== undefined ? { delta: refreshed.delta } : {})} note={refreshed?.reason ?? 'No refreshed base image.'} />
      <QuickCard title="Updated base image" name={updated?.name ?? null} {...(updated?.counts !== undefined ? { counts: updated.counts } : {})}
        {...(updated?.delta !== undefined ? { delta: updated.delta } : {})} note={updated?.reason ?? 'No updated base image.'} />
    </div>
    {notes.length > 0 ? <ul class="notes">{notes.map((note, index) => <li key={index}>{note}</li>)}</ul> : null}
  </Section>;
}

function RepositoryHistory(props: { org: string; repositoryId: string }) {
  const { data, error, notFound } = useData(() => api.get<HistoryView>(`/orgs/${encodeURIComponent(props.org)}/repositories/${encodeURIComponent(props.repositoryId)}/history`), [props.org, props.repositoryId]);
  return <Section title="Vulnerabilities over time" id="history-chart">
    {notFound !== undefined ? <p class="muted">No history for this repository.</p> : null}
    <ErrorMessage error={error} />
    {data !== undefined ? (data.points.length === 0 ? <p class="muted">No evaluations yet.</p> : <HistoryChart history={data} />) : null}
  </Section>;
}

function Layers(props: { image: ImageDetail }) {
  return <Section title="Layers">
    <div class="table-wrap"><table>
      <thead><tr><th scope="col">#</th><th scope="col">Command</th><th scope="col">Size</th><th scope="col">Packages added</th><th scope="col">Diff ID</th></tr></thead>
      <tbody>{props.image.layers.map((layer, index) => <tr key={layer.diffId + String(index)}>
        <td>{index + 1}</td>
        <td><code class="command">{layer.createdBy ?? '—'}</code></td>
        <td>{bytes(layer.size)}</td>
        <td>{layer.packages ?? props.image.packages.filter((p) => p.layer === layer.diffId).length}</td>
        <td><code title={layer.diffId}>{shortDigest(layer.diffId)}</code></td>
      </tr>)}</tbody>
    </table></div>
  </Section>;
}

function layerNumber(image: ImageDetail, diffId: string | null | undefined): string {
  if (diffId === null || diffId === undefined) return '—';
  const index = image.layers.findIndex((layer) => layer.diffId === diffId);
  return index < 0 ? shortDigest(diffId) : `${index + 1}`;
}

function Packages(props: { image: ImageDetail }) {
  const [type, setType] = useState('');
  const [search, setSearch] = useState('');
  const types = [...new Set(props.image.packages.map((p) => p.type))].sort();
  const needle = search.trim().toLowerCase();
  const shown = props.image.packages.filter((p) => (type === '' || p.type === type) && (needle === '' || p.name.toLowerCase().includes(needle)));
  return <Section title={`Packages (${props.image.packages.length})`} id="packages">
    <div class="filters">
      <label for="package-type">Type</label>
      <select id="package-type" value={type} onChange={(event) => setType((event.target as HTMLSelectElement).value)}>
        <option value="">All types</option>
        {types.map((value) => <option key={value} value={value}>{value}</option>)}
      </select>
      <label for="package-search">Search packages</label>
      <input id="package-search" type="search" value={search} onInput={(event) => setSearch((event.target as HTMLInputElement).value)} />
      <span class="muted" role="status">{shown.length} shown</span>
    </div>
    <div class="table-wrap scroll"><table>
      <thead><tr><th scope="col">Name</th><th scope="col">Version</th><th scope="col">Type</th><th scope="col">Layer</th></tr></thead>
      <tbody>{shown.map((p, index) => <tr key={(p.id ?? p.purl ?? p.name) + String(index)}>
        <td>{p.name}</td><td>{p.version}</td><td>{p.type}</td><td>{layerNumber(props.image, p.layer)}</td>
      </tr>)}</tbody>
    </table></div>
  </Section>;
}

function Vulnerabilities(props: { org: string; image: ImageDetail }) {
  const [severity, setSeverity] = useState('');
  const order = new Map(SEVERITIES.map((level, index) => [level, index]));
  const findings = [...props.image.findings]
    .filter((f) => severity === '' || f.severity === severity)
    .sort((a, b) => (order.get(a.severity) ?? 9) - (order.get(b.severity) ?? 9) || (b.cvss?.score ?? 0) - (a.cvss?.score ?? 0) || a.id.localeCompare(b.id));
  return <Section title={`Vulnerabilities (${props.image.findings.length})`} id="vulnerabilities">
    <div class="filters">
      <label for="finding-severity">Severity</label>
      <select id="finding-severity" value={severity} onChange={(event) => setSeverity((event.target as HTMLSelectElement).value)}>
        <option value="">All</option>
        {SEVERITIES.map((level) => <option key={level} value={level}>{SEVERITY_LABEL[level]}</option>)}
      </select>
    </div>
    <div class="table-wrap scroll"><table class="findings">
      <thead><tr><th scope="col">Vulnerability</th><th scope="col">Severity</th><th scope="col">CVSS</th><th scope="col">EPSS</th><th scope="col">KEV</th>
        <th scope="col">Package</th><th scope="col">Fixed in</th><th scope="col">Layer</th></tr></thead>
      <tbody>{findings.map((f, index) => <tr key={`${f.id} ${f.package} ${index}`}>
        <th scope="row"><Link href={`/orgs/${encodeURIComponent(props.org)}/vulnerabilities/${encodeURIComponent(f.id)}`}>{f.id}</Link>
          {f.suppressed !== undefined ? <span class="muted small"> ({f.suppressed})</span> : null}
          {f.description !== undefined && f.description !== null ? <div class="muted small">{f.description}</div> : null}</th>
        <td><SeverityBadge level={f.severity} /></td>
        <td>{f.cvss !== undefined && f.cvss !== null ? <span title={f.cvss.vector ?? ''}>{f.cvss.score.toFixed(1)}</span> : '—'}</td>
        <td>{f.epss !== undefined && f.epss !== null ? `${(f.epss.score * 100).toFixed(2)}%` : '—'}</td>
        <td>{f.kev === true ? <strong class="kev">Yes</strong> : 'No'}</td>
        <td>{f.package} {f.version ?? ''}</td>
        <td>{f.fixedVersion ?? <span class="muted">not fixed</span>}</td>
        <td>{layerNumber(props.image, f.layer)}</td>
      </tr>)}</tbody>
    </table></div>
  </Section>;
}

function changeList(label: string, items: { id: string; package?: string; severity?: string }[]) {
  if (items.length === 0) return null;
  const text = `${label}: ${items.map((item) => `${item.id}${item.package !== undefined ? ` (${item.package}${item.severity !== undefined ? `, ${item.severity}` : ''})` : ''}`).join('; ')}`;
  // A first analysis adds every vulnerability at once: long lists stay folded until asked for.
  return <li>{items.length <= 10 ? text : <details><summary>{label} ({items.length})</summary>{text}</details>}</li>;
}

function Evaluations(props: { evaluations: EvaluationView[] }) {
  return <Section title="Re-evaluation history" id="evaluations">
    {props.evaluations.length === 0 ? <p class="muted">No evaluations recorded.</p> : <ol class="evaluations">
      {props.evaluations.map((evaluation, index) => <li key={index}>
        <p><strong>{when(evaluation.at)} UTC</strong> — {evaluation.reason}{evaluation.generation !== null ? ` (database generation ${evaluation.generation})` : ''}:
          {` ${evaluation.added.length} added, ${evaluation.removed.length} removed, ${evaluation.changed.length} changed`}</p>
        <ul>{changeList('Added', evaluation.added)}{changeList('Removed', evaluation.removed)}{changeList('Changed', evaluation.changed)}</ul>
      </li>)}
    </ol>}
  </Section>;
}

export function ImagePage(props: { org: string; digest: string }) {
  useTitle(`Image ${props.digest.slice(0, 19)} · ${props.org}`);
  const { data: image, error, notFound } = useData(() => api.get<ImageDetail>(`/orgs/${encodeURIComponent(props.org)}/images/${encodeURIComponent(props.digest)}`), [props.org, props.digest]);
  if (notFound !== undefined) return <NotFound message={notFound} />;
  if (image === undefined) return <main id="main" class="page"><ErrorMessage error={error} />{error === undefined ? <Loading /> : null}</main>;
  const counts = image.vulnerabilities;
  return <main id="main" class="page">
    <p class="crumbs"><Link href={`/orgs/${encodeURIComponent(props.org)}/images`}>Images</Link> / {image.repository}</p>
    <h1>{image.repository}{image.tags.length > 0 ? `:${image.tags.join(', ')}` : ''}</h1>
    <dl class="facts">
      <div><dt>Digest</dt><dd><code>{image.digest}</code></dd></div>
      <div><dt>Platform</dt><dd>{image.platform ?? '—'}</dd></div>
      <div><dt>Size</dt><dd>{bytes(image.size)}</dd></div>
      <div><dt>Pushed (UTC)</dt><dd>{when(image.pushedAt)}</dd></div>
      <div><dt>Analysed (UTC)</dt><dd>{when(image.analysedAt)}</dd></div>
      <div><dt>Policies</dt><dd><PolicyCountsCell policy={image.policy} />{' '}
        <Link href={`/orgs/${encodeURIComponent(props.org)}/images/${encodeURIComponent(image.digest)}/policies`}>Policy details</Link></dd></div>
      <div><dt>Distribution</dt><dd>{image.distro === null ? '—' : `${image.distro.name ?? image.distro.id ?? ''} ${image.distro.version ?? image.distro.versionId ?? ''}`.trim()}</dd></div>
    </dl>
    <section class="panel summary" aria-labelledby="counts-title">
      <h2 id="counts-title">Vulnerabilities: {counts === null ? 'not analysed' : `${total(counts)} in all`}</h2>
      <div class="summary-row">
        <div id="severity-counts"><CountBadges counts={counts} long /></div>
        {counts !== null ? <SeverityChart counts={counts} /> : null}
      </div>
    </section>
    <Quickview image={image} />
    <RepositoryHistory org={props.org} repositoryId={image.repositoryId} />
    <Vulnerabilities org={props.org} image={image} />
    <Layers image={image} />
    <Packages image={image} />
    <Evaluations evaluations={image.evaluations} />
  </main>;
}

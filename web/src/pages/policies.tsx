// One image's policies: each policy's verdict, what it requires, exactly which packages, layers or settings
// fail it (the stored results' violations), and its trend against the previous image of the repository.
import { api, type ImageDetail } from '../api.ts';
import { Link } from '../router.ts';
import { ErrorMessage, Loading, Section, shortDigest, useData, useTitle } from '../ui.tsx';
import { sideText, TrendArrow, VerdictBadge, type ImagePolicies, type PolicyDeltaView, type PolicyResultView } from '../policy.tsx';
import { NotFound } from './not-found.tsx';

const KIND_LABEL: Record<string, string> = {
  vulnerability: 'Vulnerability', package: 'Package', setting: 'Setting', attestation: 'Attestation', 'base-image': 'Base image',
};

function slug(text: string, index: number): string {
  return `policy-${index}-${text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}`;
}

function parameterText(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.map((item) => String(item)).join(', ');
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function Trend(props: { delta: PolicyDeltaView | undefined; against: string | undefined }) {
  if (props.delta === undefined) return <span class="muted">{props.against === undefined ? 'no previous image' : 'not in the previous image'}</span>;
  return <span class="policy-trend">
    <TrendArrow change={props.delta.change} against={`previous image ${shortDigest(props.against)}`} />
    {' '}<span class="muted small">{sideText(props.delta.other)} → {sideText(props.delta.image)}</span>
  </span>;
}

function PolicyDetails(props: { org: string; image: ImageDetail; result: PolicyResultView; id: string; delta: PolicyDeltaView | undefined; against: string | undefined }) {
  const { result, image } = props;
  const layerOf = (diffId: string | undefined): string => {
    if (diffId === undefined) return '—';
    const index = image.layers.findIndex((layer) => layer.diffId === diffId);
    return index < 0 ? shortDigest(diffId) : `${index + 1}`;
  };
  const commandOf = (diffId: string | undefined): string | undefined => image.layers.find((layer) => layer.diffId === diffId)?.createdBy;
  const parameters = Object.entries(result.parameters ?? {});
  return <Section title={result.name} id={props.id} actions={<VerdictBadge status={result.status} />}>
    <p class="policy-summary">{result.summary}</p>
    <p><strong>Against the previous image:</strong> <Trend delta={props.delta} against={props.against} /></p>
    {parameters.length > 0 ? <dl class="facts small">
      {parameters.map(([key, value]) => <div key={key}><dt>{key}</dt><dd>{parameterText(value)}</dd></div>)}
    </dl> : null}
    {result.violations.length === 0 ? <p class="muted">{result.status === 'met' ? 'Nothing fails this policy.' : 'No packages, layers or settings listed.'}</p> : <>
      <h3>{result.status === 'failed' ? `What fails (${result.violations.length})` : `What decided it (${result.violations.length})`}</h3>
      <div class="table-wrap scroll"><table class="violations">
        <thead><tr><th scope="col">Kind</th><th scope="col">What</th><th scope="col">Layer</th></tr></thead>
        <tbody>{result.violations.map((violation, index) => <tr key={index}>
          <td>{KIND_LABEL[violation.kind] ?? violation.kind}</td>
          <td>{violation.text}
            {violation.vulnerability !== undefined ? <> <Link href={`/orgs/${encodeURIComponent(props.org)}/vulnerabilities/${encodeURIComponent(violation.vulnerability)}`} class="small">
              {`${violation.vulnerability} details`}</Link></> : null}
          </td>
          <td title={commandOf(violation.layerDiffId) ?? ''}>{layerOf(violation.layerDiffId)}</td>
        </tr>)}</tbody>
      </table></div>
    </>}
  </Section>;
}

export function PoliciesPage(props: { org: string; digest: string }) {
  useTitle(`Policies of ${props.digest.slice(0, 19)} · ${props.org}`);
  const { data, error, notFound } = useData(
    () => api.get<ImageDetail & ImagePolicies>(`/orgs/${encodeURIComponent(props.org)}/images/${encodeURIComponent(props.digest)}`), [props.org, props.digest],
  );
  if (notFound !== undefined) return <NotFound message={notFound} />;
  if (data === undefined) return <main id="main" class="page"><ErrorMessage error={error} />{error === undefined ? <Loading /> : null}</main>;
  const image = data;
  const imageHref = `/orgs/${encodeURIComponent(props.org)}/images/${encodeURIComponent(image.digest)}`;
  const results = image.policies ?? null;
  const trend = image.policyTrend ?? null;
  const against = trend?.against;
  const deltaOf = (name: string) => trend?.policies.find((delta) => delta.name === name);
  const met = results?.filter((result) => result.status === 'met').length ?? 0;
  const unknown = results?.filter((result) => result.status === 'unknown').length ?? 0;
  return <main id="main" class="page">
    <p class="crumbs"><Link href={`/orgs/${encodeURIComponent(props.org)}/images`}>Images</Link> / <Link href={imageHref}>{image.repository}</Link> / Policies</p>
    <h1>Policies: {image.repository}{image.tags.length > 0 ? `:${image.tags.join(', ')}` : ''}</h1>
    <dl class="facts">
      <div><dt>Digest</dt><dd><code>{image.digest}</code></dd></div>
      <div><dt>Platform</dt><dd>{image.platform ?? '—'}</dd></div>
      <div><dt>Compared with</dt><dd>{against === undefined ? <span class="muted">no previous image with policy results</span>
        : <Link href={`/orgs/${encodeURIComponent(props.org)}/images/${encodeURIComponent(against)}/policies`}><code>{shortDigest(against)}</code></Link>}</dd></div>
    </dl>
    {results === null ? <p class="note">This image's policies have not been evaluated yet: they are evaluated when the server analyses it.</p> : <>
      <section class="panel" aria-labelledby="policy-overview-title">
        <h2 id="policy-overview-title">{met} of {results.length} policies met{unknown > 0 ? `, ${unknown} unknown` : ''}</h2>
        <div class="table-wrap"><table class="policies">
          <thead><tr><th scope="col">Policy</th><th scope="col">Verdict</th><th scope="col">Fails</th><th scope="col">Against the previous image</th></tr></thead>
          <tbody>{results.map((result, index) => <tr key={result.name} data-policy={result.name} data-status={result.status}>
            <th scope="row"><a href={`#${slug(result.name, index)}-title`}>{result.name}</a></th>
            <td><VerdictBadge status={result.status} /></td>
            <td>{result.status === 'failed' ? result.violations.length : <span class="muted">—</span>}</td>
            <td data-change={deltaOf(result.name)?.change ?? ''}><Trend delta={deltaOf(result.name)} against={against} /></td>
          </tr>)}</tbody>
        </table></div>
      </section>
      {results.map((result, index) => <PolicyDetails key={result.name} org={props.org} image={image} result={result} id={slug(result.name, index)} delta={deltaOf(result.name)} against={against} />)}
    </>}
  </main>;
}

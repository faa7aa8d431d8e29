// Environments: per environment, the image it runs for each repository (as recorded with
// `spyglass environment ENV IMAGE`), its counts and policy status, and the trend against the image it
// replaced there. The list gives the environments; each environment's own answer gives the trend.
import { api, SEVERITIES } from '../api.ts';
import { Link } from '../router.ts';
import { CountBadges, Delta, ErrorMessage, Loading, Section, SEVERITY_LABEL, shortDigest, useData, useTitle, when } from '../ui.tsx';
import { PolicyCountsCell, sideText, TrendArrow, type EnvironmentDetail, type EnvironmentImageDetailView, type EnvironmentList } from '../policy.tsx';
import { NotFound } from './not-found.tsx';

function imageHref(org: string, digest: string, rest = ''): string {
  return `/orgs/${encodeURIComponent(org)}/images/${encodeURIComponent(digest)}${rest}`;
}

function VulnerabilityTrend(props: { image: EnvironmentImageDetailView }) {
  const trend = props.image.trend?.vulnerabilities;
  if (props.image.previous === null) return <span class="muted">first recorded</span>;
  if (trend === null || trend === undefined) return <span class="muted">—</span>;
  const changed = SEVERITIES.filter((level) => trend[level] !== 0);
  if (changed.length === 0) return <span class="muted">no change</span>;
  return <span class="changes">{changed.map((level) => <span key={level} class="change">
    <Delta value={trend[level]} label={`${SEVERITY_LABEL[level]} against the image it replaced`} /> {level[0]!.toUpperCase()}
  </span>)}</span>;
}

function PolicyChanges(props: { image: EnvironmentImageDetailView }) {
  const changed = (props.image.trend?.policies ?? []).filter((delta) => delta.change !== 'unchanged');
  if (changed.length === 0) return null;
  return <ul class="policy-changes small">{changed.map((delta) => <li key={delta.name}>
    <TrendArrow change={delta.change} /> {delta.name}: {sideText(delta.other)} → {sideText(delta.image)}
  </li>)}</ul>;
}

function EnvironmentSection(props: { org: string; name: string; createdAt: string; count: number }) {
  const { data, error, notFound } = useData(
    () => api.get<EnvironmentDetail>(`/orgs/${encodeURIComponent(props.org)}/environments/${encodeURIComponent(props.name)}`), [props.org, props.name],
  );
  return <Section title={props.name} id={`env-${props.name}`} actions={<span class="muted small">since {when(props.createdAt)} UTC · {props.count} {props.count === 1 ? 'repository' : 'repositories'}</span>}>
    {notFound !== undefined ? <p class="muted">This environment no longer exists.</p> : null}
    <ErrorMessage error={error} />
    {data === undefined && error === undefined && notFound === undefined ? <Loading /> : null}
    {data !== undefined ? (data.images.length === 0 ? <p class="muted">No image recorded.</p> : <div class="table-wrap"><table class="environment" data-environment={props.name}>
      <caption class="visually-hidden">{`Images running in ${props.name}`}</caption>
      <thead><tr>
        <th scope="col">Repository</th><th scope="col">Image</th><th scope="col">Recorded (UTC)</th>
        <th scope="col">Vulnerabilities</th><th scope="col">Against the image it replaced</th><th scope="col">Policies</th>
      </tr></thead>
      <tbody>{data.images.map((image) => <tr key={image.repositoryId} data-repository={image.repository} data-digest={image.digest}>
        <th scope="row">{image.repository}</th>
        <td><Link href={imageHref(props.org, image.digest)}><code title={image.digest}>{shortDigest(image.digest)}</code></Link>
          {image.tags.length > 0 ? <div>{image.tags.map((tag) => <span key={tag} class="tag">{tag}</span>)}</div> : null}
          {image.platform !== null ? <div class="muted small">{image.platform}</div> : null}</td>
        <td>{when(image.recordedAt)}{image.recordedBy !== null ? <div class="muted small">by {image.recordedBy}</div> : null}</td>
        <td><CountBadges counts={image.vulnerabilities} /></td>
        <td>{image.previous !== null ? <div class="small">replaced <Link href={imageHref(props.org, image.previous.digest)}><code title={image.previous.digest}>{shortDigest(image.previous.digest)}</code></Link></div> : null}
          <VulnerabilityTrend image={image} /></td>
        <td><PolicyCountsCell policy={image.policy} before={image.previous?.policy ?? null} beforeDigest={image.previous?.digest ?? null}
          href={imageHref(props.org, image.digest, '/policies')} /><PolicyChanges image={image} /></td>
      </tr>)}</tbody>
    </table></div>) : null}
  </Section>;
}

export function EnvironmentsPage(props: { org: string }) {
  useTitle(`Environments · ${props.org}`);
  const { data, error, notFound } = useData(() => api.get<EnvironmentList>(`/orgs/${encodeURIComponent(props.org)}/environments`), [props.org]);
  if (notFound !== undefined) return <NotFound message={notFound} />;
  return <main id="main" class="page">
    <h1>Environments</h1>
    <ErrorMessage error={error} />
    {data === undefined && error === undefined ? <Loading /> : null}
    {data !== undefined && data.environments.length === 0 ? <p class="note">
      No environments yet. Record what runs where with <code>spyglass environment production REGISTRY/REPOSITORY:TAG</code> (Editors and Owners);
      the environment is made on its first image.
    </p> : null}
    {data?.environments.map((environment) => <EnvironmentSection key={environment.name} org={props.org} name={environment.name} createdAt={environment.createdAt} count={environment.images.length} />)}
  </main>;
}

// Small shared pieces: formatting, severity badges, loading and error states, and a data hook that
// turns an API 404 into the not-found page.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, SEVERITIES, type Counts, type Severity } from './api.ts';

export const SEVERITY_LABEL: Record<Severity, string> = { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low', unspecified: 'Unspecified' };
export const SEVERITY_LETTER: Record<Severity, string> = { critical: 'C', high: 'H', medium: 'M', low: 'L', unspecified: 'U' };
export const SEVERITY_COLOUR: Record<Severity, string> = { critical: '#8b1a1a', high: '#c2410c', medium: '#a16207', low: '#4b5563', unspecified: '#6b7280' };

export function shortDigest(digest: string | null | undefined): string {
  if (digest === null || digest === undefined) return '';
  const [algorithm, hex] = digest.includes(':') ? digest.split(':', 2) as [string, string] : ['', digest];
  return `${algorithm === 'sha256' ? '' : `${algorithm}:`}${hex.slice(0, 12)}`;
}

export function when(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toISOString().replace('T', ' ').slice(0, 16);
}

export function bytes(size: number | null | undefined): string {
  if (size === null || size === undefined) return '—';
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = size;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function total(counts: Counts | null | undefined): number {
  return counts === null || counts === undefined ? 0 : SEVERITIES.reduce((sum, level) => sum + (counts[level] ?? 0), 0);
}

/** A base image as the API gives it: a reference string, an object with a name, or nothing. */
export function baseName(base: unknown): string | null {
  if (typeof base === 'string') return base;
  if (base !== null && typeof base === 'object' && typeof (base as { name?: unknown }).name === 'string') return (base as { name: string }).name;
  return null;
}

export function SeverityBadge(props: { level: Severity; count?: number; long?: boolean }) {
  const text = props.count === undefined ? SEVERITY_LABEL[props.level] : `${props.count}${props.long === true ? ` ${SEVERITY_LABEL[props.level]}` : ` ${SEVERITY_LETTER[props.level]}`}`;
  const title = props.count === undefined ? undefined : `${props.count} ${SEVERITY_LABEL[props.level].toLowerCase()}`;
  return <span class={`badge sev-${props.level}${props.count === 0 ? ' zero' : ''}`} title={title} data-severity={props.level}>
    {text}
    {title !== undefined && props.long !== true ? <span class="visually-hidden">{` (${title})`}</span> : null}
  </span>;
}

export function CountBadges(props: { counts: Counts | null | undefined; long?: boolean }) {
  if (props.counts === null || props.counts === undefined) return <span class="muted">not analysed</span>;
  return <span class="badges">{SEVERITIES.map((level) => <SeverityBadge key={level} level={level} count={props.counts![level] ?? 0} long={props.long} />)}</span>;
}

export function Delta(props: { value: number | undefined; label?: string }) {
  if (props.value === undefined) return null;
  const text = props.value === 0 ? '±0' : props.value > 0 ? `+${props.value}` : `${props.value}`;
  return <span class={`delta ${props.value > 0 ? 'worse' : props.value < 0 ? 'better' : 'same'}`} title={props.label}>{text}</span>;
}

export function ErrorMessage(props: { error: unknown }) {
  if (props.error === undefined || props.error === null) return null;
  const text = props.error instanceof Error ? props.error.message : String(props.error);
  return <p class="error" role="alert">{text}</p>;
}

export function Loading() {
  return <p class="muted" role="status">Loading…</p>;
}

export class NotFoundSignal {
  constructor(readonly message: string) {}
}

/** Loads data for a page; a 404 from the API renders the not-found page (thrown to the router's boundary). */
export function useData<T>(load: () => Promise<T>, deps: unknown[]): { data: T | undefined; error: unknown; reload: () => void; notFound: string | undefined; loading: boolean } {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; notFound: string | undefined; loading: boolean }>({ data: undefined, error: undefined, notFound: undefined, loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((old) => ({ data: old.data, error: undefined, notFound: undefined, loading: true }));
    load().then(
      (data) => {
        if (live) setState({ data, error: undefined, notFound: undefined, loading: false });
      },
      (error: unknown) => {
        if (!live) return;
        if (error instanceof ApiError && error.status === 401) return; // on its way to sign-in
        if (error instanceof ApiError && error.status === 404) setState({ data: undefined, error: undefined, notFound: error.message, loading: false });
        else setState({ data: undefined, error, notFound: undefined, loading: false });
      },
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  return { ...state, reload: () => setTick((value) => value + 1) };
}

/** The document's title: the page's name, then Spyglass (what a screen reader announces, what tabs show). */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Spyglass`;
  }, [title]);
}

export function Section(props: { title: string; id?: string; children: ComponentChildren; actions?: ComponentChildren }) {
  const id = props.id ?? props.title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return <section class="panel" aria-labelledby={`${id}-title`}>
    <div class="panel-head"><h2 id={`${id}-title`}>{props.title}</h2>{props.actions}</div>
    {props.children}
  </section>;
}

/** Deletes `base/id` (an integration, a notification target), then reloads the list; a failure is shown, not thrown. */
export async function removeItem(base: string, id: string, reload: () => void, setError: (error: unknown) => void): Promise<void> {
  setError(undefined);
  try {
    await api.delete(`${base}/${encodeURIComponent(id)}`);
    reload();
  } catch (failure) {
    setError(failure);
  }
}

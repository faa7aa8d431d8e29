// A small router over the History API: the current path (with its query) as state, navigate() to move,
// <Link> for in-app links that still work as plain links (new tab, copy address).
import { h, type ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';

type Listener = () => void;
const listeners = new Set<Listener>();

export function currentPath(): string {
  return `${location.pathname}${location.search}`;
}

export function navigate(to: string, options: { replace?: boolean; state?: unknown } = {}): void {
  if (to === currentPath() && options.state === undefined) return;
  if (options.replace === true) history.replaceState(options.state ?? null, '', to);
  else history.pushState(options.state ?? null, '', to);
  for (const listener of listeners) listener();
}

window.addEventListener('popstate', () => {
  for (const listener of listeners) listener();
});

/** The current location, re-rendering the caller when it changes. */
export function useLocation(): { path: string; pathname: string; query: URLSearchParams; state: unknown } {
  const [, setTick] = useState(0);
  useEffect(() => {
    const listener = () => setTick((tick) => tick + 1);
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }, []);
  return { path: currentPath(), pathname: location.pathname, query: new URLSearchParams(location.search), state: history.state as unknown };
}

export function Link(props: { href: string; class?: string; children: ComponentChildren; 'aria-current'?: 'page' | undefined }) {
  return h('a', {
    href: props.href,
    class: props.class,
    'aria-current': props['aria-current'],
    onClick: (event: MouseEvent) => {
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      navigate(props.href);
    },
  }, props.children);
}

/** Matches a pattern like /orgs/:org/images/:digest; parameters are decoded. */
export function match(pattern: string, pathname: string): Record<string, string> | undefined {
  const names: string[] = [];
  const source = pattern.replace(/:([a-z]+)/g, (_all, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  const found = new RegExp(`^${source}/?$`).exec(pathname);
  if (found === null) return undefined;
  const params: Record<string, string> = {};
  try {
    names.forEach((name, index) => {
      params[name] = decodeURIComponent(found[index + 1]!);
    });
  } catch {
    return undefined;
  }
  return params;
}

import { Link } from '../router.ts';
import { useTitle } from '../ui.tsx';
import { useSession } from '../session.ts';

export function NotFound(props: { message?: string }) {
  useTitle('Page not found');
  const { session } = useSession();
  const first = session?.orgs[0]?.name;
  return <main id="main" class="page not-found">
    <h1>Page not found</h1>
    <p>{props.message !== undefined ? `Not found: ${props.message}.` : 'There is no page at this address.'}</p>
    <p>{first !== undefined ? <Link href={`/orgs/${encodeURIComponent(first)}/images`}>Back to the images</Link> : <Link href="/">Back to the start</Link>}</p>
  </main>;
}

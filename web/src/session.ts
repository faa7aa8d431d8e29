// The signed-in user, shared by every page: loaded once from GET /api/v1/session, replaced on sign-in,
// cleared on sign-out or on any 401.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { setCsrfToken, type Session, type SessionOrg } from './api.ts';

export interface SessionState {
  session: Session | null;
  setSession(session: Session | null): void;
}

export const SessionContext = createContext<SessionState>({ session: null, setSession: () => undefined });

export function useSession(): SessionState {
  return useContext(SessionContext);
}

export function remember(session: Session | null): void {
  setCsrfToken(session?.csrfToken ?? '');
}

export function roleIn(session: Session | null, org: string): SessionOrg | undefined {
  return session?.orgs.find((entry) => entry.name === org);
}

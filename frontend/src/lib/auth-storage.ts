import type { CurrentUser } from './types';

export interface AuthSession {
  access: string;
  refresh: string;
  user: CurrentUser;
}

const KEY = 'dms.session';
type Listener = (session: AuthSession | null) => void;
const listeners = new Set<Listener>();

function read(): AuthSession | null {
  try {
    const raw = window.localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as AuthSession) : null;
  } catch {
    return null;
  }
}

let current: AuthSession | null = typeof window === 'undefined' ? null : read();
// Why the last session ended (signed out for inactivity, expired), for the login screen.
let endReason: string | null = null;

export const authStorage = {
  get(): AuthSession | null {
    return current;
  },
  set(session: AuthSession | null): void {
    current = session;
    if (session) endReason = null;
    if (session) window.localStorage.setItem(KEY, JSON.stringify(session));
    else window.localStorage.removeItem(KEY);
    listeners.forEach((listener) => listener(session));
  },
  setTokens(access: string, refresh: string): void {
    if (!current) return;
    authStorage.set({ ...current, access, refresh });
  },
  setUser(user: CurrentUser): void {
    if (!current) return;
    authStorage.set({ ...current, user });
  },
  /** Ends the session; `reason` is shown on the login screen. */
  clear(reason: string | null = null): void {
    endReason = reason;
    authStorage.set(null);
  },
  endReason(): string | null {
    return endReason;
  },
  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  /** Re-reads storage (another tab logged in or out). */
  reload(): void {
    current = read();
    listeners.forEach((listener) => listener(current));
  },
};

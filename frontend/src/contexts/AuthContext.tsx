import { useQueryClient } from '@tanstack/react-query';
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  type ReactNode,
} from 'react';
import { login as apiLogin, logout as apiLogout, getMe } from '@/features/auth/api/auth';
import { authStorage, type AuthSession } from '@/lib/auth-storage';
import type { CurrentUser } from '@/lib/types';

interface AuthContextValue {
  user: CurrentUser | null;
  login: (username: string, password: string) => Promise<CurrentUser>;
  logout: (reason?: string) => Promise<void>;
  /** Why the last session ended (idle, expired), shown on the login screen. */
  endReason: string | null;
}

const AuthContext = createContext<AuthContextValue | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [session, setSession] = useState<AuthSession | null>(() => authStorage.get());
  const [endReason, setEndReason] = useState<string | null>(() => authStorage.endReason());

  useEffect(
    () =>
      authStorage.subscribe((next) => {
        setSession(next);
        // However the session ended (signed out, idle, expired), the login screen says why.
        if (!next) setEndReason(authStorage.endReason());
      }),
    [],
  );

  useEffect(() => {
    // Another tab signing in or out changes this tab too.
    const onStorage = (event: StorageEvent) => {
      if (event.key === 'dms.session') authStorage.reload();
    };
    window.addEventListener('storage', onStorage);
    return () => window.removeEventListener('storage', onStorage);
  }, []);

  const hasSession = session !== null;
  useEffect(() => {
    // Refresh roles and unit from the server once per sign-in or page load.
    if (!hasSession) return;
    getMe()
      .then((user) => authStorage.setUser(user))
      .catch(() => undefined);
  }, [hasSession]);

  const login = useCallback(
    async (username: string, password: string) => {
      const data = await apiLogin(username, password);
      queryClient.clear();
      authStorage.set({ access: data.access, refresh: data.refresh, user: data.user });
      return data.user;
    },
    [queryClient],
  );

  const logout = useCallback(
    async (reason?: string) => {
      const current = authStorage.get();
      if (current) {
        try {
          await apiLogout(current.refresh);
        } catch {
          // The session ends locally whatever the server says.
        }
      }
      authStorage.clear(reason ?? null);
      queryClient.clear();
    },
    [queryClient],
  );

  const value = useMemo(
    () => ({ user: session?.user ?? null, login, logout, endReason }),
    [session, login, logout, endReason],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth outside AuthProvider');
  return value;
}

export function useCurrentUser(): CurrentUser {
  const { user } = useAuth();
  if (!user) throw new Error('No signed-in user');
  return user;
}

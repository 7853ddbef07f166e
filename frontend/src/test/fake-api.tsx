import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { vi } from 'vitest';
import { AuthProvider } from '@/contexts/AuthContext';
import { authStorage } from '@/lib/auth-storage';
import type { CurrentUser } from '@/lib/types';

export interface Call {
  method: string;
  url: string;
  body: unknown;
}

export function json(status: number, body: unknown) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

export const page = (results: unknown[]) => ({
  count: results.length,
  next: null,
  previous: null,
  results,
});

/**
 * The API as a function of (method, url, body): `fetch` stubbed for the test, every call kept
 * in `calls`. An answer of `undefined` is a 404. `/api/auth/me/` answers with the user.
 */
export function fakeApi(
  user: CurrentUser,
  answer: (method: string, url: string, body: unknown) => Response | undefined,
): Call[] {
  const calls: Call[] = [];
  authStorage.set({ access: 'a', refresh: 'r', user });
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input);
      const method = init?.method ?? 'GET';
      const raw = init?.body;
      const body = typeof raw === 'string' ? JSON.parse(raw) : (raw ?? null);
      calls.push({ method, url, body });
      if (url.startsWith('/api/auth/me/')) return json(200, user);
      return answer(method, url, body) ?? json(404, { detail: 'Not found.', code: 'not_found' });
    }),
  );
  return calls;
}

/** A page under the app's providers, at `path` of a router that knows `route`. */
export function renderAt(
  path: string,
  route: string,
  element: ReactNode,
  others: ReactNode = null,
) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <AuthProvider>
        <MemoryRouter initialEntries={[path]}>
          <Routes>
            <Route path={route} element={element} />
            {others}
          </Routes>
        </MemoryRouter>
      </AuthProvider>
    </QueryClientProvider>,
  );
}

import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { RouterProvider, createMemoryRouter } from 'react-router-dom';
import { vi } from 'vitest';
import { ToastProvider } from '@/components/ui/toast';
import { AuthProvider } from '@/contexts/AuthContext';
import { WebSocketProvider } from '@/contexts/WebSocketContext';
import { authStorage } from '@/lib/auth-storage';
import type { CurrentUser } from '@/lib/types';
import { makeUser } from './factories';

/** One request the screen sent to the API: its method, path below /api/, query and body. */
export interface ApiCall {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

/** An answer: a body (200), or a function of the call giving a body or a full Response. */
type Route = ((call: ApiCall) => unknown) | object | string | number | boolean | null;

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

export function page<T>(results: T[]) {
  return { count: results.length, count_exact: true, next: null, previous: null, results };
}

/**
 * Replaces fetch with a small API keyed by path below /api/ ("custody/people/") or by
 * "METHOD path" ("POST extensions/4/approve/"); anything else answers 404. Returns every call
 * made, so a test can assert what the screen asked for.
 */
export function stubApi(routes: Record<string, Route>): ApiCall[] {
  const calls: ApiCall[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(String(input), 'http://localhost');
      const method = (init?.method ?? 'GET').toUpperCase();
      const call: ApiCall = {
        method,
        path: url.pathname.replace(/^\/api\//, ''),
        query: url.searchParams,
        body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
      };
      calls.push(call);
      const route = routes[`${method} ${call.path}`] ?? routes[call.path];
      if (route === undefined) return json({ detail: 'Not found.', code: 'not_found' }, 404);
      const answer = typeof route === 'function' ? route(call) : route;
      return answer instanceof Response ? answer : json(answer);
    }),
  );
  return calls;
}

/**
 * Renders a screen as a signed-in user at `path`, with the providers the app gives it (query
 * client, session, live updates, toasts, router). `router.state.location` tells where the screen went.
 */
export function renderScreen(
  ui: ReactElement,
  { path = '/', user = makeUser() }: { path?: string; user?: CurrentUser } = {},
) {
  authStorage.set({ access: 'a', refresh: 'r', user });
  // The live-update socket never connects here: these tests are about what is rendered and sent.
  vi.stubGlobal(
    'WebSocket',
    class {
      close() {}
      addEventListener() {}
    },
  );
  const router = createMemoryRouter([{ path: '*', element: ui }], { initialEntries: [path] });
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <AuthProvider>
        <WebSocketProvider>
          <ToastProvider>
            <RouterProvider router={router} />
          </ToastProvider>
        </WebSocketProvider>
      </AuthProvider>
    </QueryClientProvider>,
  );
  return { router };
}

/** The calls that change something, without the session's own (auth/: the live-update ticket). */
export function writes(calls: ApiCall[]): ApiCall[] {
  return calls.filter((c) => c.method !== 'GET' && !c.path.startsWith('auth/'));
}

import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen } from '@testing-library/react';
import { RouterProvider, createMemoryRouter } from 'react-router-dom';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { AuthProvider } from '@/contexts/AuthContext';
import { WebSocketProvider } from '@/contexts/WebSocketContext';
import { authStorage } from '@/lib/auth-storage';
import type { Capability, CurrentUser } from '@/lib/types';
import { makeUser } from '@/test/factories';
import { ROUTES, Screen } from './router';

function json(body: unknown) {
  return new Response(JSON.stringify(body), {
    status: 200,
    headers: { 'Content-Type': 'application/json' },
  });
}

function open(path: string, user: CurrentUser) {
  authStorage.set({ access: 'a', refresh: 'r', user });
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL) =>
      String(input).startsWith('/api/auth/me/')
        ? json(user)
        : json({ count: 0, next: null, previous: null, results: [] }),
    ),
  );
  // The live-update socket never connects here: these tests are about what is rendered.
  vi.stubGlobal(
    'WebSocket',
    class {
      close() {}
      addEventListener() {}
    },
  );
  const router = createMemoryRouter([{ element: <Screen />, children: ROUTES }], {
    initialEntries: [path],
  });
  render(
    <QueryClientProvider
      client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}
    >
      <AuthProvider>
        <WebSocketProvider>
          <RouterProvider router={router} />
        </WebSocketProvider>
      </AuthProvider>
    </QueryClientProvider>,
  );
}

const viewer = makeUser({ username: 'viewer', roles: ['Viewer'], capabilities: [] });

describe('route guards', () => {
  beforeEach(() => vi.unstubAllGlobals());

  it('a Unit Admin may read the schedules but not open a change of one', async () => {
    const unitAdmin = makeUser({ roles: ['Unit Admin'], capabilities: ['manage_users'] });
    open('/schedules/3', unitAdmin);
    expect(await screen.findByTestId('forbidden', {}, { timeout: 15_000 })).toBeTruthy();
  });

  it.each([
    ['/crates/new'],
    ['/requests/new'],
    ['/requests/7/edit'],
    ['/audit'],
    ['/administration'],
    ['/administration/users'],
    ['/schedules/3'],
    ['/retention-events'],
  ])('a Viewer opening %s gets the not-available screen, not the form', async (path) => {
    open(path, viewer);
    expect(await screen.findByTestId('forbidden', {}, { timeout: 15_000 })).toBeTruthy();
    expect(screen.queryByRole('button')).toBeNull();
  });

  it.each<[string, Capability, string]>([
    ['/crates/new', 'edit_crates', 'New crate'],
    ['/requests/new', 'raise_requests', 'New request'],
    ['/audit', 'read_audit', 'Audit trail'],
    ['/administration/users', 'manage_users', 'Administration'],
    ['/retention-events', 'record_retention_events', 'Retention events'],
  ])('with the capability, %s opens its screen (loaded on demand)', async (path, cap, title) => {
    open(path, makeUser({ capabilities: [cap] }));
    // The screen's chunk is imported on demand: on a busy machine that takes more than 1 s.
    expect(
      await screen.findByRole('heading', { level: 1, name: title }, { timeout: 15_000 }),
    ).toBeTruthy();
    expect(screen.queryByTestId('forbidden')).toBeNull();
  });

  it('the audit trail offers Export only to a role that may export it', async () => {
    open('/audit', makeUser({ capabilities: ['read_audit'] }));
    await screen.findByRole('heading', { level: 1, name: 'Audit trail' }, { timeout: 15_000 });
    expect(screen.queryByRole('button', { name: 'Export CSV' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Verify chain' })).toBeTruthy();
  });
});

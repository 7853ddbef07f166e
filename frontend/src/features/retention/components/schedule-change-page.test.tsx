import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuthProvider } from '@/contexts/AuthContext';
import { WebSocketProvider } from '@/contexts/WebSocketContext';
import { authStorage } from '@/lib/auth-storage';
import { makeDocumentType, makeRecompute, makeUser } from '@/test/factories';
import { ScheduleChangePage } from './schedule-change-page';
import { changesText, scheduleText } from './schedules-page';

const user = makeUser({
  id: 1,
  username: 'sysadmin',
  full_name: 'Sanjay Sysadmin',
  roles: ['System Administrator'],
  capabilities: ['manage_document_types'],
});

const BMR = makeDocumentType();

const SIGNED = {
  record: { type: 'documenttype', id: 7, number: '7' },
  document_type: 'BMR',
  changes: { retention_years: [7, 5] },
  event_name: '',
  documents: 1200,
  meaning: 'retention_changed',
  comment: 'SOP-114 rev 4',
  signer: { id: 1, username: 'sysadmin', full_name: 'Sanjay Sysadmin' },
  signed_at: null,
};

const RECOMPUTE = makeRecompute();

function json(status: number, body: unknown) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

class FakeSocket {
  static last: FakeSocket | null = null;
  readyState = 1;
  onopen: (() => void) | null = null;
  onclose: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onerror: (() => void) | null = null;
  constructor() {
    FakeSocket.last = this;
    setTimeout(() => this.onopen?.(), 0);
  }
  send() {}
  close() {}
  emit(data: unknown) {
    this.onmessage?.({ data: JSON.stringify(data) });
  }
}

describe('ScheduleChangePage', () => {
  const calls: { method: string; url: string; body: Record<string, unknown> | null }[] = [];
  let recompute = RECOMPUTE;

  beforeEach(() => {
    calls.length = 0;
    recompute = RECOMPUTE;
    authStorage.set({ access: 'a', refresh: 'r', user });
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
        const url = String(input);
        const method = init?.method ?? 'GET';
        const body = init?.body ? JSON.parse(String(init.body)) : null;
        calls.push({ method, url, body });
        if (url.startsWith('/api/auth/me/')) return json(200, user);
        if (url === '/api/document-types/7/schedule-preview/') {
          const shorter = body.retention_years < 7;
          return json(200, {
            changes:
              body.retention_years === 7 ? {} : { retention_years: [7, body.retention_years] },
            signature_required: shorter,
            documents: 1200,
            content: shorter ? { ...SIGNED, comment: body.reason } : null,
          });
        }
        if (url === '/api/document-types/7/' && method === 'PATCH')
          return json(200, { ...BMR, retention_years: body.retention_years, recompute });
        if (url === '/api/document-types/7/') return json(200, BMR);
        if (url.startsWith('/api/retention-recomputes/31/')) return json(200, recompute);
        return json(404, { detail: 'Not found', code: 'not_found' });
      }),
    );
  });

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  function renderPage() {
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(
      <QueryClientProvider client={client}>
        <AuthProvider>
          <WebSocketProvider
            fetchTicket={async () => 't'}
            createSocket={() => new FakeSocket() as unknown as WebSocket}
            url={() => 'ws://test/'}
          >
            <MemoryRouter initialEntries={['/schedules/7']}>
              <Routes>
                <Route path="/schedules/:id" element={<ScheduleChangePage />} />
              </Routes>
            </MemoryRouter>
          </WebSocketProvider>
        </AuthProvider>
      </QueryClientProvider>,
    );
  }

  async function propose(years: string) {
    renderPage();
    const field = await screen.findByLabelText(/Kept for \(years\)/);
    await userEvent.clear(field);
    await userEvent.type(field, years);
    await userEvent.click(screen.getByRole('button', { name: 'Change schedule…' }));
  }

  it('shortening: the reason, then the signature showing exactly what is signed', async () => {
    await propose('5');
    const reasonDialog = await screen.findByRole('dialog', { name: 'Reason for changing BMR' });
    expect(within(reasonDialog).getByTestId('schedule-summary').textContent).toContain(
      'retention years 7 → 5',
    );
    expect(reasonDialog.textContent).toContain('This makes retention shorter');
    // No reason: refused here, nothing sent.
    await userEvent.click(
      within(reasonDialog).getByRole('button', { name: 'Continue to signature' }),
    );
    expect(within(reasonDialog).getByText('Give the reason for this change.')).toBeTruthy();
    expect(calls.filter((c) => c.method === 'PATCH')).toHaveLength(0);

    await userEvent.type(
      within(reasonDialog).getByLabelText(/Reason for the change/),
      'SOP-114 rev 4',
    );
    await userEvent.click(
      within(reasonDialog).getByRole('button', { name: 'Continue to signature' }),
    );

    const signature = await screen.findByRole('dialog', {
      name: 'Sign the shorter schedule of BMR',
    });
    expect(within(signature).getByTestId('signature-meaning').textContent).toBe(
      'Retention changed',
    );
    const shown = JSON.parse(
      within(signature).getByTestId('signature-content').textContent ?? '{}',
    );
    expect(shown).toEqual(SIGNED);
    // The reason is the signature's comment: no second comment box.
    expect(within(signature).queryByLabelText(/Comment/)).toBeNull();

    await userEvent.type(within(signature).getByLabelText(/Password/), 'Demo@12345678');
    await userEvent.click(within(signature).getByRole('button', { name: 'Sign and change' }));
    await waitFor(() => expect(calls.filter((c) => c.method === 'PATCH')).toHaveLength(1));
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({
      retention_years: 5,
      retention_trigger: 'record_date',
      event_name: '',
      reason: 'SOP-114 rev 4',
      password: 'Demo@12345678',
    });
    expect((await screen.findByTestId('recompute-progress')).dataset.status).toBe('pending');

    // Live progress over the socket, then the result once it is done.
    act(() =>
      FakeSocket.last?.emit({
        type: 'retention.progress',
        id: 31,
        document_type: 7,
        status: 'running',
        done: 600,
        total: 1200,
      }),
    );
    const progress = screen.getByTestId('recompute-progress');
    expect(progress.dataset.status).toBe('running');
    expect(progress.textContent).toContain('600 of 1,200 documents');
    recompute = {
      ...RECOMPUTE,
      status: 'done',
      done: 1200,
      documents_changed: 1200,
      crates_changed: 40,
    };
    act(() =>
      FakeSocket.last?.emit({
        type: 'retention.progress',
        id: 31,
        document_type: 7,
        status: 'done',
        done: 1200,
        total: 1200,
      }),
    );
    await waitFor(() =>
      expect(screen.getByTestId('recompute-progress').textContent).toContain(
        '1,200 of 1,200 documents and 40 crates got a new retention date',
      ),
    );
  });

  it('lengthening needs the reason but no signature', async () => {
    await propose('10');
    const reasonDialog = await screen.findByRole('dialog', { name: 'Reason for changing BMR' });
    expect(reasonDialog.textContent).not.toContain('This makes retention shorter');
    await userEvent.type(
      within(reasonDialog).getByLabelText(/Reason for the change/),
      'Customer audit',
    );
    await userEvent.click(within(reasonDialog).getByRole('button', { name: 'Save the change' }));
    await waitFor(() => expect(calls.filter((c) => c.method === 'PATCH')).toHaveLength(1));
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({
      retention_years: 10,
      retention_trigger: 'record_date',
      event_name: '',
      reason: 'Customer audit',
    });
    expect(screen.queryByTestId('signature-dialog')).toBeNull();
  });

  it('an unchanged schedule opens no dialog and changes nothing', async () => {
    await propose('7');
    expect(
      await screen.findByText('Nothing to change: the schedule is already this.'),
    ).toBeTruthy();
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(calls.filter((c) => c.method === 'PATCH')).toHaveLength(0);
  });
});

describe('schedule texts', () => {
  it('says how long and from what', () => {
    expect(scheduleText(BMR)).toBe('7 years from the record date');
    expect(
      scheduleText({ retention_years: 1, retention_trigger: 'event', event_name: 'batch expiry' }),
    ).toBe('1 year from the batch expiry');
    expect(changesText({ retention_trigger: ['event', 'record_date'] })).toBe(
      'retention trigger Event → Record date',
    );
  });
});

import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuthProvider } from '@/contexts/AuthContext';
import { authStorage } from '@/lib/auth-storage';
import { makeUser } from '@/test/factories';
import { eventDateProblem, RetentionEventsPage } from './retention-events-page';

const user = makeUser({ capabilities: ['record_retention_events'] });
const page = (results: unknown[]) => ({
  count: results.length,
  next: null,
  previous: null,
  results,
});
const TYPES = [
  { id: 1, code: 'BMR', name: 'Batch record', retention_trigger: 'record_date', event_name: '' },
  {
    id: 2,
    code: 'BATCH',
    name: 'Batch file',
    retention_trigger: 'event',
    event_name: 'batch expiry',
  },
];
const document = (id: number, number: string) => ({
  id,
  number,
  title: `Batch ${number}`,
  crate: 9,
  crate_number: 'CRT-GOA-2026-000009',
  record_date: '2024-05-01',
  trigger_date: null,
  retention_until: null,
  status: 'in_storage',
});

function json(status: number, body: unknown) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

describe('RetentionEventsPage', () => {
  const posts: unknown[] = [];
  let answer: () => Response;
  let found: unknown[];

  beforeEach(() => {
    posts.length = 0;
    found = [document(11, 'B-11'), document(12, 'B-12')];
    answer = () => json(200, { documents: 1, crates: 1 });
    authStorage.set({ access: 'a', refresh: 'r', user });
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
        const url = String(input);
        if (url.startsWith('/api/auth/me/')) return json(200, user);
        if (url.startsWith('/api/document-types/')) return json(200, page(TYPES));
        if (url.startsWith('/api/documents/')) return json(200, page(found));
        if (url === '/api/retention-events/') {
          posts.push(JSON.parse(String(init?.body)));
          return answer();
        }
        return json(404, { detail: 'Not found', code: 'not_found' });
      }),
    );
  });

  afterEach(() => vi.unstubAllGlobals());

  async function renderPage({ documents = true } = {}) {
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(
      <QueryClientProvider client={client}>
        <AuthProvider>
          <MemoryRouter>
            <RetentionEventsPage />
          </MemoryRouter>
        </AuthProvider>
      </QueryClientProvider>,
    );
    const select = await screen.findByLabelText(/Document type/);
    await waitFor(() => expect(screen.getAllByRole('option')).toHaveLength(2));
    // Only the type kept from an event is offered.
    expect(screen.queryByRole('option', { name: /BMR/ })).toBeNull();
    await userEvent.selectOptions(select, '2');
    if (documents) await screen.findByRole('checkbox', { name: 'Choose B-11' });
  }

  it('lists the documents of the type in the shared scrolling table', async () => {
    await renderPage();
    const table = screen.getByTestId('event-documents');
    expect(
      within(table)
        .getAllByRole('columnheader')
        .map((th) => [th.textContent, th.getAttribute('scope')]),
    ).toEqual([
      ['Choose', 'col'],
      ['Document', 'col'],
      ['Crate', 'col'],
      ['Status', 'col'],
      ['Record date', 'col'],
      ['Batch expiry recorded', 'col'],
      ['Kept until', 'col'],
    ]);
    const row = within(table).getAllByRole('row')[1];
    expect(row.textContent).toContain('B-11 — Batch B-11');
    expect(row.textContent).toContain('waits for the event');
    expect(
      within(row).getByRole('link', { name: 'CRT-GOA-2026-000009' }).getAttribute('href'),
    ).toBe('/crates/9');
    expect(screen.getByRole('region', { name: 'Table (scrolls sideways)' })).toBeTruthy();
    expect(screen.queryByText('No documents found.')).toBeNull();
  });

  it('says when the type has no documents, and shows no table', async () => {
    found = [];
    await renderPage({ documents: false });
    expect(await screen.findByText('No documents found.')).toBeTruthy();
    expect(screen.queryByTestId('event-documents')).toBeNull();
  });

  it('says a future event date before sending anything', async () => {
    await renderPage();
    await userEvent.click(screen.getByRole('checkbox', { name: 'Choose B-11' }));
    await userEvent.type(screen.getByLabelText(/Date of the batch expiry/), '2999-01-01');
    await userEvent.type(screen.getByLabelText(/^Reason/), 'Batch expired');
    await userEvent.click(screen.getByRole('button', { name: 'Record the batch expiry' }));
    expect(screen.getByText('The event date cannot be in the future.')).toBeTruthy();
    expect(posts).toHaveLength(0);
  });

  it('records the event for the chosen documents; the server names a document it refuses', async () => {
    answer = () =>
      json(400, {
        documents: [
          'Document B-12 (CRT-GOA-2026-000009): the event date is before its record date 2024-05-01.',
        ],
      });
    await renderPage();
    await userEvent.click(screen.getByRole('checkbox', { name: 'Choose B-11' }));
    await userEvent.click(screen.getByRole('checkbox', { name: 'Choose B-12' }));
    await userEvent.type(screen.getByLabelText(/Date of the batch expiry/), '2024-01-31');
    await userEvent.type(screen.getByLabelText(/^Reason/), 'Batch expired');
    await userEvent.click(screen.getByRole('button', { name: 'Record the batch expiry' }));
    expect((await screen.findByTestId('documents-error')).textContent).toContain(
      'the event date is before its record date',
    );
    expect(posts).toEqual([
      { document_type: 2, event_date: '2024-01-31', documents: [11, 12], reason: 'Batch expired' },
    ]);

    answer = () => json(200, { documents: 1, crates: 1 });
    await userEvent.click(screen.getByRole('checkbox', { name: 'Choose B-12' }));
    await userEvent.click(screen.getByRole('button', { name: 'Record the batch expiry' }));
    expect((await screen.findByTestId('event-result')).textContent).toContain(
      'Recorded for 1 document in 1 crate',
    );
    expect(posts[1]).toEqual({
      document_type: 2,
      event_date: '2024-01-31',
      documents: [11],
      reason: 'Batch expired',
    });
  });

  it('checks the date as the server does', () => {
    expect(eventDateProblem('', '2026-12-03')).toBe('Enter the date of the event.');
    expect(eventDateProblem('2026-12-04', '2026-12-03')).toBe(
      'The event date cannot be in the future.',
    );
    expect(eventDateProblem('2026-12-03', '2026-12-03')).toBeNull();
  });
});

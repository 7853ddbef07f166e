import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuthProvider } from '@/contexts/AuthContext';
import { authStorage } from '@/lib/auth-storage';
import { makeUser } from '@/test/factories';
import { CrateCreatePage } from './crate-create-page';

const user = makeUser({
  id: 4,
  username: 'docmanager',
  full_name: 'Divya Docmanager',
  roles: ['Document Manager'],
});

const page = (results: unknown[]) => ({
  count: results.length,
  next: null,
  previous: null,
  results,
});

function json(status: number, body: unknown) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

describe('CrateCreatePage', () => {
  const calls: { method: string; url: string; body: unknown }[] = [];
  let documentAnswer: () => Response;

  beforeEach(() => {
    calls.length = 0;
    documentAnswer = () => json(201, { id: 50 });
    authStorage.set({ access: 'a', refresh: 'r', user });
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
        const url = String(input);
        const method = init?.method ?? 'GET';
        calls.push({ method, url, body: init?.body ? JSON.parse(String(init.body)) : null });
        if (url.startsWith('/api/auth/me/')) return json(200, user);
        if (url.startsWith('/api/departments/'))
          return json(200, page([{ id: 3, unit: 1, code: 'PROD', name: 'Production' }]));
        if (url.startsWith('/api/document-types/'))
          return json(
            200,
            page([{ id: 7, code: 'BMR', name: 'Batch record', retention_years: 7 }]),
          );
        if (url.startsWith('/api/units/')) return json(200, page([]));
        if (url === '/api/crates/' && method === 'POST')
          return json(201, { id: 12, number: 'CRT-GOA-2026-000012', status: 'draft' });
        if (url === '/api/documents/' && method === 'POST') return documentAnswer();
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
          <MemoryRouter initialEntries={['/crates/new']}>
            <Routes>
              <Route path="/crates/new" element={<CrateCreatePage />} />
              <Route path="/crates/:id" element={<h1>Crate detail</h1>} />
            </Routes>
          </MemoryRouter>
        </AuthProvider>
      </QueryClientProvider>,
    );
  }

  async function fillValidForm() {
    await screen.findByRole('option', { name: 'PROD — Production' });
    await userEvent.selectOptions(screen.getByLabelText(/Department/), '3');
    await userEvent.type(screen.getByLabelText(/Description/), 'QA records');
    await userEvent.type(screen.getByLabelText(/Document number/), 'BMR-1');
    await userEvent.type(screen.getByLabelText(/^Title/), 'Batch record 1');
    await screen.findByRole('option', { name: 'Batch record (7 y)' });
    await userEvent.selectOptions(screen.getByLabelText(/Document type/), '7');
    await userEvent.type(screen.getByLabelText(/Record date/), '2025-01-10');
  }

  it('shows what is missing and sends nothing', async () => {
    renderPage();
    await userEvent.click(screen.getByRole('button', { name: 'Create crate' }));
    expect(screen.getByText('Choose the department.')).toBeTruthy();
    expect(screen.getAllByText('Required.').length).toBe(4);
    expect(calls.filter((c) => c.method === 'POST')).toEqual([]);
  });

  it('creates the crate and then its documents, then opens the crate', async () => {
    renderPage();
    await fillValidForm();
    await userEvent.click(screen.getByRole('button', { name: 'Create crate' }));
    await screen.findByText('Crate detail');
    const posts = calls.filter((c) => c.method === 'POST');
    expect(posts).toEqual([
      { method: 'POST', url: '/api/crates/', body: { department: 3, description: 'QA records' } },
      {
        method: 'POST',
        url: '/api/documents/',
        body: {
          crate: 12,
          number: 'BMR-1',
          title: 'Batch record 1',
          document_type: 7,
          record_date: '2025-01-10',
        },
      },
    ]);
  });

  it('shows a document error from the API next to its field and keeps the crate', async () => {
    documentAnswer = () => json(400, { number: ['A document with this number already exists.'] });
    renderPage();
    await fillValidForm();
    await userEvent.click(screen.getByRole('button', { name: 'Create crate' }));
    expect(await screen.findByText('A document with this number already exists.')).toBeTruthy();
    expect(screen.getByText(/Crate CRT-GOA-2026-000012 was created/)).toBeTruthy();
    await waitFor(() =>
      expect(screen.getByLabelText(/Document number/).getAttribute('aria-invalid')).toBe('true'),
    );
    expect(screen.getByRole('button', { name: 'Save remaining documents' })).toBeTruthy();
  });
});

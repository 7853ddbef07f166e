import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CrateDocument } from '@/lib/types';
import { page, renderScreen, stubApi, type ApiCall } from '@/test/render';
import { DocumentsPage } from './documents-page';

afterEach(() => vi.unstubAllGlobals());

function document(id: number, overrides: Partial<CrateDocument> = {}): CrateDocument {
  return {
    id,
    crate: 30,
    crate_number: 'CRT-GOA-2026-000030',
    crate_status: 'stored',
    crate_legal_hold: false,
    unit: 1,
    unit_code: 'GOA',
    department_name: 'Quality Control',
    location_path: 'Archive Room 1 / Rack A / Shelf 1',
    number: `DOC-${id}`,
    title: `Batch record ${id}`,
    document_type: 2,
    document_type_code: 'BMR',
    document_type_name: 'Batch manufacturing record',
    record_date: '2025-03-01',
    trigger_date: null,
    retention_until: '2032-03-01',
    status: 'in_storage',
    created_by: 1,
    created_by_name: 'Doc Manager',
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    ...overrides,
  };
}

const MASTER_DATA = {
  'document-types/': page([{ id: 2, code: 'BMR', name: 'Batch manufacturing record' }]),
  'departments/': page([{ id: 5, code: 'QC', name: 'Quality Control', unit_code: 'GOA' }]),
};

const lastListQuery = (calls: ApiCall[]) =>
  calls.filter((c) => c.method === 'GET' && c.path === 'documents/').at(-1)?.query;

describe('DocumentsPage', () => {
  it('starts from the filters in the URL: the form shows them and the API is asked for them', async () => {
    const calls = stubApi({
      ...MASTER_DATA,
      'documents/': page([document(1, { crate_legal_hold: true })]),
    });
    renderScreen(<DocumentsPage />, {
      path: '/documents?search=batch&status=withdrawn&record_date_from=2025-01-01',
    });
    const table = await screen.findByTestId('documents-table');
    const query = lastListQuery(calls);
    expect(query?.get('search')).toBe('batch');
    expect(query?.get('status')).toBe('withdrawn');
    expect(query?.get('record_date_from')).toBe('2025-01-01');
    expect((screen.getByRole('searchbox', { name: 'Search' }) as HTMLInputElement).value).toBe(
      'batch',
    );
    expect((screen.getByRole('combobox', { name: 'Status' }) as HTMLSelectElement).value).toBe(
      'withdrawn',
    );
    const row = within(table).getAllByRole('row')[1];
    expect(within(row).getByText('Batch record 1')).toBeTruthy();
    expect(within(row).getByText('Legal hold')).toBeTruthy();
    expect(
      within(row).getByRole('link', { name: 'CRT-GOA-2026-000030' }).getAttribute('href'),
    ).toBe('/crates/30');
  });

  it('a search by title and a type go into the URL (bookmarkable) and back to page 1', async () => {
    const calls = stubApi({ ...MASTER_DATA, 'documents/': page([document(1)]) });
    const { router } = renderScreen(<DocumentsPage />, { path: '/documents?page=3' });
    await screen.findByTestId('documents-table');
    await userEvent.type(screen.getByRole('searchbox', { name: 'Search' }), 'stability');
    await vi.waitFor(() => expect(lastListQuery(calls)?.get('search')).toBe('stability'));
    const url = () => new URLSearchParams(router.state.location.search);
    expect(url().get('search')).toBe('stability');
    expect(url().get('page')).toBeNull();

    const type = screen.getByRole('combobox', { name: 'Type' });
    await within(type).findByRole('option', { name: 'BMR · Batch manufacturing record' });
    await userEvent.selectOptions(type, '2');
    expect(url().get('document_type')).toBe('2');
    await vi.waitFor(() => {
      expect(lastListQuery(calls)?.get('document_type')).toBe('2');
      expect(lastListQuery(calls)?.get('search')).toBe('stability');
    });
  });

  it('says so when no document matches', async () => {
    stubApi({ ...MASTER_DATA, 'documents/': page([]) });
    renderScreen(<DocumentsPage />, { path: '/documents?search=nothing' });
    expect(await screen.findByText('No documents match.')).toBeTruthy();
  });
});

import { screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RequestContext } from '@/lib/types';
import { json, renderScreen, stubApi } from '@/test/render';
import { RequestContextCard } from './request-context';

afterEach(() => vi.unstubAllGlobals());

const context: RequestContext = {
  crates: [
    {
      id: 11,
      number: 'CRT-GOA-2026-000011',
      status: 'stored',
      department_name: 'Quality Control',
      location_path: 'Archive Room 1 / Rack A / Shelf 2',
      retention_until: '2025-12-31',
      legal_hold: true,
      legal_hold_reason: 'Litigation 2026-17',
      due_for_destruction: true,
      whole_crate: true,
      documents: [
        {
          id: 1,
          number: 'DOC-1',
          title: 'Batch record 1',
          document_type_code: 'BMR',
          record_date: '2015-01-01',
          retention_until: '2025-12-31',
          status: 'in_storage',
          in_request: true,
        },
      ],
    },
    {
      id: 12,
      number: 'CRT-GOA-2026-000012',
      status: 'stored',
      department_name: 'Production',
      location_path: null,
      retention_until: '2031-06-30',
      legal_hold: false,
      legal_hold_reason: '',
      due_for_destruction: false,
      whole_crate: false,
      documents: [
        {
          id: 2,
          number: 'DOC-2',
          title: 'Stability study',
          document_type_code: 'STB',
          record_date: '2021-06-30',
          retention_until: '2031-06-30',
          status: 'in_storage',
          in_request: true,
        },
        {
          id: 3,
          number: 'DOC-3',
          title: 'Deviation report',
          document_type_code: 'DEV',
          record_date: '2021-07-01',
          retention_until: '2031-07-01',
          status: 'in_storage',
          in_request: false,
        },
      ],
    },
  ],
};

describe('RequestContextCard', () => {
  it("shows each crate's documents, retention and hold, not only its number", async () => {
    const calls = stubApi({ 'requests/9/context/': context });
    renderScreen(<RequestContextCard requestId={9} />);
    const held = await screen.findByRole('region', { name: 'Crate CRT-GOA-2026-000011' });
    const other = screen.getByRole('region', { name: 'Crate CRT-GOA-2026-000012' });
    expect(calls.some((c) => c.path === 'requests/9/context/')).toBe(true);

    expect(within(held).getByText('Legal hold: Litigation 2026-17')).toBeTruthy();
    expect(within(held).getByText('Retention reached')).toBeTruthy();
    expect(within(held).getByText(/whole crate/)).toBeTruthy();
    expect(
      within(held).getByRole('link', { name: 'CRT-GOA-2026-000011' }).getAttribute('href'),
    ).toBe('/crates/11');

    expect(within(other).queryByText(/Legal hold/)).toBeNull();
    expect(within(other).queryByText('Retention reached')).toBeNull();
    expect(within(other).getByText(/no location/)).toBeTruthy();
    expect(within(other).getByText(/selected documents/)).toBeTruthy();
    const rows = within(other).getAllByRole('row').slice(1);
    expect(
      rows.map((row) =>
        within(row)
          .getAllByRole('cell')
          .map((c) => c.textContent),
      ),
    ).toEqual([
      [
        'DOC-2',
        'Stability study',
        'STB',
        expect.any(String),
        expect.any(String),
        'In storage',
        'Yes',
      ],
      [
        'DOC-3',
        'Deviation report',
        'DEV',
        expect.any(String),
        expect.any(String),
        'In storage',
        'No',
      ],
    ]);
  });

  it('says why when the context cannot be read', async () => {
    stubApi({
      'requests/9/context/': () =>
        json({ detail: 'You do not have permission.', code: 'permission_denied' }, 403),
    });
    renderScreen(<RequestContextCard requestId={9} />);
    expect((await screen.findByRole('alert')).textContent).toMatch(/^Not allowed: /);
    expect(screen.queryByRole('region', { name: /Crate / })).toBeNull();
  });
});

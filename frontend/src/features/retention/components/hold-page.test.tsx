import { screen, within } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { page, renderScreen, stubApi } from '@/test/render';
import { makeUser } from '@/test/factories';
import { HoldPage } from './hold-page';

const approver = makeUser({ username: 'approver', capabilities: ['set_legal_hold'] });
const HOLD = {
  id: 5,
  number: 'LH-GOA-2026-0005',
  title: 'Litigation 12/2026',
  reason: 'Court order',
  status: 'active',
  unit: 1,
  unit_code: 'GOA',
  by_filter: false,
  crate_numbers: ['CRT-GOA-2026-000009'],
  department_code: '',
  document_type_code: '',
  record_date_from: null,
  record_date_to: null,
  placed_at: '2026-12-03T10:00:00Z',
  placed_by_name: 'Anita Approver',
  released_at: null,
  released_by_name: '',
  release_reason: '',
  allowed_actions: [],
  signatures: [],
};
const CRATE = {
  id: 9,
  number: 'CRT-GOA-2026-000009',
  status: 'in_storage',
  department_name: 'Quality Assurance',
  retention_until: '2033-12-31',
};

function renderHold(crates: unknown[]) {
  stubApi({
    'auth/me/': approver,
    'holds/5/': HOLD,
    'holds/5/crates/': page(crates),
  });
  renderScreen(
    <Routes>
      <Route path="holds/:id" element={<HoldPage />} />
    </Routes>,
    { path: '/holds/5', user: approver },
  );
}

describe('HoldPage', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('lists the crates it covers in the shared scrolling table', async () => {
    renderHold([CRATE]);
    const table = await screen.findByTestId('hold-crates');
    expect(
      within(table)
        .getAllByRole('columnheader')
        .map((th) => [th.textContent, th.getAttribute('scope')]),
    ).toEqual([
      ['Crate', 'col'],
      ['Status', 'col'],
      ['Department', 'col'],
      ['Retention until', 'col'],
    ]);
    const row = within(table).getAllByRole('row')[1];
    expect(within(row).getByRole('link', { name: CRATE.number }).getAttribute('href')).toBe(
      '/crates/9',
    );
    expect(row.textContent).toContain('Quality Assurance');
    expect(screen.getByRole('region', { name: 'Table (scrolls sideways)' })).toBeTruthy();
    expect(screen.queryByText('No crates of your units.')).toBeNull();
  });

  it('says when it covers no crate of the user’s units, and shows no table', async () => {
    renderHold([]);
    expect(await screen.findByText('No crates of your units.')).toBeTruthy();
    expect(screen.queryByTestId('hold-crates')).toBeNull();
  });
});

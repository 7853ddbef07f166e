import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CustodyItem, CustodyPerson } from '@/lib/types';
import { page, renderScreen, stubApi } from '@/test/render';
import { CustodyPage } from './custody-page';

afterEach(() => vi.unstubAllGlobals());

const people: CustodyPerson[] = [
  {
    requester: 7,
    requester_name: 'Divya Docmanager',
    requester_username: 'docmanager',
    unit_code: 'GOA',
    crates: 2,
    documents: 1,
    overdue: 1,
    next_due: '2026-11-20',
  },
  {
    requester: 8,
    requester_name: 'Ravi Reader',
    requester_username: 'ravi',
    unit_code: 'GOA',
    crates: 1,
    documents: 0,
    overdue: 0,
    next_due: '2027-01-10',
  },
];

function item(id: number, overrides: Partial<CustodyItem> = {}): CustodyItem {
  return {
    id,
    request: 40 + id,
    request_number: `REQ-2026-0000${id}`,
    requester: 7,
    requester_name: 'Divya Docmanager',
    requester_username: 'docmanager',
    unit: 1,
    unit_code: 'GOA',
    crate: 100 + id,
    crate_number: `CRT-GOA-2026-00000${id}`,
    document: null,
    taken_from: 'Archive Room 1 / Rack A / Shelf 1',
    issued_at: '2026-11-01T09:00:00Z',
    expected_return_date: '2027-01-10',
    is_overdue: false,
    on_pending_sendback: false,
    ...overrides,
  };
}

describe('CustodyPage', () => {
  it('lists who has what, each person linked to their items, overdue in red', async () => {
    stubApi({ 'custody/people/': people });
    renderScreen(<CustodyPage />, { path: '/custody' });
    const table = await screen.findByTestId('custody-people');
    const [late, onTime] = within(table).getAllByRole('row').slice(1);
    expect(within(late).getByRole('link', { name: 'Divya Docmanager' }).getAttribute('href')).toBe(
      '/custody?view=items&requester=7',
    );
    expect(within(late).getByText('Overdue')).toBeTruthy();
    expect(late.querySelector('.overdue')).not.toBeNull();
    expect(within(onTime).queryByText('Overdue')).toBeNull();
    expect(onTime.querySelector('.overdue')).toBeNull();
  });

  it('"Out to me" asks for my items only and marks the overdue row', async () => {
    const calls = stubApi({
      'custody/people/': people,
      'custody/': page([
        item(1, { is_overdue: true, expected_return_date: '2026-11-20' }),
        item(2, { document: 9, document_number: 'DOC-9', document_title: 'Batch record' }),
      ]),
    });
    const { router } = renderScreen(<CustodyPage />, { path: '/custody' });
    await userEvent.click(await screen.findByRole('button', { name: 'Out to me' }));
    const table = await screen.findByTestId('custody-items');
    expect(router.state.location.search).toBe('?view=mine');
    const asked = calls.filter((c) => c.path === 'custody/');
    expect(asked.at(-1)?.query.get('mine')).toBe('true');
    expect(screen.getByRole('button', { name: 'Out to me' }).getAttribute('aria-pressed')).toBe(
      'true',
    );
    const [late, onTime] = within(table).getAllByRole('row').slice(1);
    expect(late.className).toBe('row--overdue');
    expect(within(late).getByText('Overdue')).toBeTruthy();
    expect(onTime.className).toBe('');
    expect(within(onTime).getByText('DOC-9 · Batch record')).toBeTruthy();
    expect(within(late).getByText('Whole crate')).toBeTruthy();
  });

  it('keeps "Overdue only" and the person in the URL and asks the API for them', async () => {
    const calls = stubApi({ 'custody/': page([item(1, { is_overdue: true })]) });
    const { router } = renderScreen(<CustodyPage />, { path: '/custody?view=items&requester=7' });
    await screen.findByTestId('custody-items');
    expect(calls.find((c) => c.path === 'custody/')?.query.get('requester')).toBe('7');
    await userEvent.click(screen.getByRole('checkbox', { name: 'Overdue only' }));
    expect(new URLSearchParams(router.state.location.search).get('overdue')).toBe('true');
    await vi.waitFor(() => {
      const last = calls.filter((c) => c.path === 'custody/').at(-1);
      expect(last?.query.get('overdue')).toBe('true');
      expect(last?.query.get('requester')).toBe('7');
    });
    await userEvent.click(screen.getByRole('button', { name: 'Everyone' }));
    expect(new URLSearchParams(router.state.location.search).get('requester')).toBeNull();
  });

  it('says so when nothing is out', async () => {
    stubApi({ 'custody/people/': [] });
    renderScreen(<CustodyPage />, { path: '/custody' });
    expect(await screen.findByText('Nothing is out.')).toBeTruthy();
  });
});

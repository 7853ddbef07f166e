import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CountDetail, CountLine, StorageLocation } from '@/lib/types';
import { fakeApi, json, page, renderAt } from '@/test/fake-api';
import { makeUser } from '@/test/factories';
import { CountPage } from './count-page';

const storehead = makeUser({ id: 5, username: 'storehead', roles: ['Store Head'] });
const approver = makeUser({ id: 6, username: 'approver', roles: ['Approver'] });

const place = (id: number, path: string, kind = 'shelf') =>
  ({ id, unit: 1, kind, code: `S${id}`, barcode: `LOC-GOA-S${id}`, name: path.split(' / ').pop(), path, capacity: 10, occupied: 0, free: 10, is_active: true }) as StorageLocation; // prettier-ignore
const ROOM = place(1, 'Archive Room 1', 'room');
const SHELF_1 = place(2, 'Archive Room 1 / Shelf 1');
const SHELF_2 = place(3, 'Archive Room 1 / Shelf 2');
const ELSEWHERE = place(9, 'Archive Room 2 / Shelf 9');

const line = (crate: number, expected: StorageLocation | null, found: StorageLocation | null) =>
  ({
    crate,
    number: `CRT-GOA-2026-00000${crate}`,
    expected_location: expected?.id ?? null,
    expected_location_path: expected?.path ?? null,
    found_location: found?.id ?? null,
    found_location_path: found?.path ?? null,
    status: 'stored',
  }) as CountLine;

function makeCount(overrides: Partial<CountDetail> = {}): CountDetail {
  return {
    id: 5,
    number: 'CNT-GOA-2026-0001',
    status: 'open',
    unit: 1,
    unit_code: 'GOA',
    location: ROOM.id,
    location_path: ROOM.path,
    comment: '',
    counted_by: 5,
    counted_by_name: 'Store Head',
    opened_at: '2026-06-01T09:00:00Z',
    submitted_at: null,
    reviewed_by: null,
    reviewed_by_name: '',
    reviewed_at: null,
    review_comment: '',
    cancelled_at: null,
    expected_count: null,
    allowed_actions: ['scan', 'submit', 'cancel'],
    scanned_count: 0,
    found: [],
    misplaced: [],
    missing: [],
    unexpected: [],
    unknown: [],
    resolutions: [],
    ...overrides,
  };
}

function scanAnswer(code: string) {
  const location = [ROOM, SHELF_1, SHELF_2, ELSEWHERE].find((item) => item.barcode === code);
  if (!location) return undefined;
  return json(200, {
    kind: 'location',
    id: location.id,
    number_or_code: code,
    status: 'active',
    location_path: location.path,
    crate: null,
    unit: 'GOA',
  });
}

function tally(name: string): string | undefined {
  return (
    screen.queryByTestId(`tally-${name}`)?.querySelector('.tally__value')?.textContent ?? undefined
  );
}

/** Types a code into a scan box as a hand scanner does: the characters, then Enter. */
async function scan(box: string, code: string) {
  await userEvent.type(await screen.findByRole('textbox', { name: box }), `${code}{Enter}`);
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('CountPage while counting (blind)', () => {
  it('scans a shelf of the count, then crates: each class said and tallied', async () => {
    let count = makeCount();
    const calls = fakeApi(storehead, (method, url, body) => {
      if (url === '/api/counts/5/') return json(200, count);
      if (url.startsWith('/api/locations/')) return json(200, page([ROOM, SHELF_1, SHELF_2]));
      if (url.startsWith('/api/scan/?code='))
        return scanAnswer(decodeURIComponent(url.split('=')[1]));
      if (url === '/api/counts/5/scans/' && method === 'POST') {
        const { code } = body as { code: string };
        if (code === 'CRT-GOA-2026-000003') {
          count = { ...count, scanned_count: 1, misplaced: [line(3, SHELF_2, SHELF_1)] };
          return json(201, { code, crate: 3, number: code, location: 2, location_path: SHELF_1.path, replaced: false, count }); // prettier-ignore
        }
        count = { ...count, scanned_count: count.scanned_count + 1, unknown: [code] };
        return json(201, { code, crate: null, number: null, location: 2, location_path: SHELF_1.path, replaced: false, count }); // prettier-ignore
      }
      return undefined;
    });
    renderAt('/counts/5', '/counts/:id', <CountPage />);
    await screen.findByText('Count CNT-GOA-2026-0001');
    expect(tally('scanned')).toBe('0');
    // Blind: nothing about what is expected or missing while counting.
    expect(tally('expected')).toBeUndefined();
    expect(tally('missing')).toBeUndefined();
    expect(screen.queryByRole('textbox', { name: 'Scan each crate' })).toBeNull();

    await scan("Scan the shelf's label", ELSEWHERE.barcode);
    expect((await screen.findByRole('alert')).textContent).toBe(
      'Archive Room 2 / Shelf 9 is not inside Archive Room 1.',
    );
    await scan("Scan the shelf's label", SHELF_1.barcode);
    await screen.findByText('Counting Archive Room 1 / Shelf 1. Now scan its crates.');

    await scan('Scan each crate', 'CRT-GOA-2026-000003');
    expect((await screen.findByRole('alert')).textContent).toBe(
      'CRT-GOA-2026-000003: misplaced: it belongs elsewhere in this count',
    );
    expect([tally('scanned'), tally('found'), tally('misplaced')]).toEqual(['1', '0', '1']);

    await scan('Scan each crate', 'GARBAGE-1');
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toBe(
        'GARBAGE-1: unknown code: not a crate of your unit',
      ),
    );
    expect([tally('scanned'), tally('unknown')]).toEqual(['2', '1']);
    expect(within(screen.getByTestId('recent-scans')).getAllByRole('listitem')).toHaveLength(2);

    const scans = calls.filter((call) => call.url === '/api/counts/5/scans/');
    expect(scans.map((call) => call.body)).toEqual([
      { location: 2, code: 'CRT-GOA-2026-000003' },
      { location: 2, code: 'GARBAGE-1' },
    ]);
  });

  it('shows the API refusal of a scan in words (a count submitted meanwhile)', async () => {
    fakeApi(storehead, (method, url) => {
      if (url === '/api/counts/5/') return json(200, makeCount());
      if (url.startsWith('/api/locations/')) return json(200, page([ROOM, SHELF_1]));
      if (url.startsWith('/api/scan/')) return scanAnswer(SHELF_1.barcode);
      if (url === '/api/counts/5/scans/' && method === 'POST')
        return json(409, { detail: 'The count is submitted: no more scans.', code: 'invalid_transition' }); // prettier-ignore
      return undefined;
    });
    renderAt('/counts/5', '/counts/:id', <CountPage />);
    await scan("Scan the shelf's label", SHELF_1.barcode);
    await scan('Scan each crate', 'CRT-GOA-2026-000001');
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toBe('The count is submitted: no more scans.'),
    );
    expect(tally('scanned')).toBe('0');
  });
});

describe('CountPage after the submit', () => {
  const submitted = makeCount({
    status: 'submitted',
    allowed_actions: ['review'],
    expected_count: 3,
    scanned_count: 3,
    found: [line(1, SHELF_1, SHELF_1)],
    misplaced: [line(3, SHELF_2, SHELF_1)],
    missing: [line(2, SHELF_1, null)],
    unknown: ['GARBAGE-1'],
  });

  it('shows expected and missing, each class listed, and signs the review with the resolutions', async () => {
    const calls = fakeApi(approver, (method, url) => {
      if (url === '/api/counts/5/') return json(200, submitted);
      if (url.startsWith('/api/locations/')) return json(200, page([ROOM, SHELF_1, SHELF_2]));
      if (url === '/api/counts/5/review/' && method === 'POST')
        return json(200, { ...submitted, status: 'reviewed', allowed_actions: [] });
      return undefined;
    });
    renderAt('/counts/5', '/counts/:id', <CountPage />);
    await screen.findByTestId('count-review');
    expect([tally('expected'), tally('scanned'), tally('found'), tally('misplaced')]).toEqual(['3', '3', '1', '1']); // prettier-ignore
    expect([tally('missing'), tally('unknown'), tally('unexpected')]).toEqual(['1', '1', '0']);
    expect(screen.getByTestId('count-misplaced').textContent).toBe(
      'CRT-GOA-2026-000003 — at Archive Room 1 / Shelf 1 (expected at Archive Room 1 / Shelf 2)',
    );
    expect(screen.getByTestId('count-missing').textContent).toBe('CRT-GOA-2026-000002 (expected at Archive Room 1 / Shelf 1)'); // prettier-ignore
    expect(screen.getByTestId('count-unknown').textContent).toBe('GARBAGE-1');
    expect(screen.queryByRole('textbox', { name: 'Scan each crate' })).toBeNull();

    const rows = within(screen.getByTestId('count-review')).getAllByRole('row').slice(1);
    expect(rows.map((row) => within(row).getAllByRole('cell')[1].textContent)).toEqual(['misplaced', 'missing']); // prettier-ignore
    await userEvent.selectOptions(screen.getByLabelText('Resolution for CRT-GOA-2026-000003'), 'relocate'); // prettier-ignore
    await userEvent.selectOptions(screen.getByLabelText('Resolution for CRT-GOA-2026-000002'), 'mark_missing'); // prettier-ignore
    await userEvent.click(screen.getByTestId('count-review-open'));
    await userEvent.type(screen.getByLabelText(/Password/), 'Demo@12345678');
    await userEvent.click(screen.getByRole('button', { name: 'Sign the review' }));
    await waitFor(() => expect(calls.some((call) => call.url === '/api/counts/5/review/')).toBe(true)); // prettier-ignore
    expect(calls.find((call) => call.url === '/api/counts/5/review/')?.body).toEqual({
      password: 'Demo@12345678',
      comment: '',
      resolutions: [
        { crate: 3, action: 'relocate' },
        { crate: 2, action: 'mark_missing' },
      ],
    });
  });
});

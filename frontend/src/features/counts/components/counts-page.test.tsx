import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route } from 'react-router-dom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeApi, json, page, renderAt } from '@/test/fake-api';
import { makeUser } from '@/test/factories';
import { CountsPage } from './counts-page';

const storehead = makeUser({ id: 5, username: 'storehead', capabilities: ['count_crates'] });
const SHELF = { id: 2, path: 'Archive Room 1 / Shelf 1', barcode: 'LOC-GOA-S1', kind: 'shelf' };
const ROOM = { id: 1, path: 'Archive Room 1', barcode: 'LOC-GOA-AR1', kind: 'room' };

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('Open a count', () => {
  it("takes the shelf from its scanned label, refuses a crate's, and opens the count there", async () => {
    const calls = fakeApi(storehead, (method, url) => {
      if (url.startsWith('/api/counts/?')) return json(200, page([]));
      if (url.startsWith('/api/locations/')) return json(200, page([ROOM, SHELF]));
      if (url === '/api/scan/?code=LOC-GOA-S1')
        return json(200, { kind: 'location', id: 2, number_or_code: 'LOC-GOA-S1', status: 'active', location_path: SHELF.path, crate: null, unit: 'GOA' }); // prettier-ignore
      if (url === '/api/scan/?code=CRT-GOA-2026-000001')
        return json(200, { kind: 'crate', id: 7, number_or_code: 'CRT-GOA-2026-000001', status: 'stored', location_path: SHELF.path, crate: null, unit: 'GOA' }); // prettier-ignore
      if (url === '/api/counts/' && method === 'POST') return json(201, { id: 11 });
      return undefined;
    });
    renderAt('/counts', '/counts', <CountsPage />, <Route path="/counts/:id" element={<h1>Count 11</h1>} />); // prettier-ignore
    const select = (await screen.findByTestId('count-location')) as HTMLSelectElement;
    await screen.findByRole('option', { name: SHELF.path });
    const box = screen.getByRole('textbox', { name: 'Or scan its label' });

    await userEvent.type(box, 'CRT-GOA-2026-000001{Enter}');
    expect((await screen.findByRole('alert')).textContent).toBe(
      "CRT-GOA-2026-000001 is a crate; scan a room's, rack's or shelf's label.",
    );
    expect(select.value).toBe('');
    await userEvent.type(box, 'NOPE{Enter}');
    await waitFor(() => expect(screen.getByRole('alert').textContent).toMatch(/^NOPE is not a crate, location/)); // prettier-ignore

    await userEvent.type(box, 'LOC-GOA-S1{Enter}');
    await screen.findByText('Archive Room 1 / Shelf 1 chosen.');
    expect(select.value).toBe('2');
    expect(calls.some((call) => call.method === 'POST')).toBe(false); // Enter picks, never submits
    await userEvent.click(screen.getByRole('button', { name: 'Open the count' }));
    await screen.findByText('Count 11');
    expect(calls.find((call) => call.method === 'POST')?.body).toEqual({
      location: 2,
      comment: '',
    });
  });
});

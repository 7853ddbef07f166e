import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ScanResult } from '@/lib/types';
import { renderScreen, stubApi } from '@/test/render';
import { ScanBox } from './scan-box';

afterEach(() => vi.unstubAllGlobals());

const CODES: Record<string, ScanResult> = {
  'CRT-GOA-2026-000007': {
    kind: 'crate',
    id: 7,
    number_or_code: 'CRT-GOA-2026-000007',
    status: 'stored',
    location_path: 'Archive Room 1 / Rack A / Shelf 1',
    crate: null,
    unit: 'GOA',
  },
  'DOC-42': {
    kind: 'document',
    id: 42,
    number_or_code: 'DOC-42',
    status: 'in_storage',
    location_path: 'Archive Room 1 / Rack A / Shelf 1',
    crate: 8,
    unit: 'GOA',
  },
  'LOC-GOA-S1': {
    kind: 'location',
    id: 3,
    number_or_code: 'LOC-GOA-S1',
    status: 'active',
    location_path: 'Archive Room 1 / Rack A / Shelf 1',
    crate: null,
    unit: 'GOA',
  },
};

/** GET /api/scan/?code=…: what the code is, or 404 like the API for anything else. */
function stubScan() {
  return stubApi({
    'scan/': (call) =>
      CODES[call.query.get('code') ?? ''] ??
      new Response(JSON.stringify({ detail: 'Not found.', code: 'not_found' }), {
        status: 404,
        headers: { 'Content-Type': 'application/json' },
      }),
  });
}

/** A hand scanner in keyboard-wedge mode: the code's characters, then Enter. */
async function scan(code: string) {
  await userEvent.type(
    screen.getByRole('textbox', { name: 'Scan or type a crate number' }),
    `${code}{Enter}`,
  );
}

describe('ScanBox: the keyboard path (hand scanner or typing)', () => {
  it('adds each scanned crate, and a document by its crate, clearing the box for the next label', async () => {
    const onFound = vi.fn();
    const calls = stubScan();
    renderScreen(<ScanBox onFound={onFound} />, { path: '/requests/new' });
    await scan('CRT-GOA-2026-000007');
    expect(await screen.findByText('CRT-GOA-2026-000007 added.')).toBeTruthy();
    await scan('DOC-42');
    expect(await screen.findByText('Document DOC-42: its crate was added.')).toBeTruthy();
    expect(onFound.mock.calls.map(([crateId]) => crateId)).toEqual([7, 8]);
    expect(calls.filter((c) => c.path === 'scan/').map((c) => c.query.get('code'))).toEqual([
      'CRT-GOA-2026-000007',
      'DOC-42',
    ]);
    const box = screen.getByRole('textbox', { name: 'Scan or type a crate number' });
    expect((box as HTMLInputElement).value).toBe('');
    expect(screen.getByRole('button', { name: 'Add' })).toBeTruthy();
  });

  it('refuses a location label and an unknown code in words, adding nothing', async () => {
    const onFound = vi.fn();
    stubScan();
    renderScreen(<ScanBox onFound={onFound} />, { path: '/requests/new' });
    await scan('LOC-GOA-S1');
    expect((await screen.findByRole('alert')).textContent).toBe(
      "LOC-GOA-S1 is a location (Archive Room 1 / Rack A / Shelf 1); scan a crate's label.",
    );
    await scan('NOPE-1');
    await vi.waitFor(() =>
      expect(screen.getByRole('alert').textContent).toMatch(
        /^NOPE-1 is not a crate, location or document of your units/,
      ),
    );
    expect(onFound).not.toHaveBeenCalled();
    // The refusal is tied to the box, so a screen reader reads it with the field.
    const box = screen.getByRole('textbox', { name: 'Scan or type a crate number' });
    expect(box.getAttribute('aria-describedby')).toBe(screen.getByRole('alert').id);
  });

  it('without a form to add to, Enter opens what was scanned: the crate, or the location', async () => {
    stubScan();
    const { router } = renderScreen(<ScanBox />, { path: '/crates' });
    expect(screen.getByRole('button', { name: 'Open' })).toBeTruthy();
    await scan('DOC-42');
    await vi.waitFor(() => expect(router.state.location.pathname).toBe('/crates/8'));
    await scan('LOC-GOA-S1');
    await vi.waitFor(() =>
      expect(`${router.state.location.pathname}${router.state.location.search}`).toBe(
        '/storage?location=3',
      ),
    );
  });
});

import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolveScan } from './resolve-scan';
import { Scanner } from './scanner';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('Scanner', () => {
  it('sends a code typed + Enter inside a surrounding form without submitting that form', async () => {
    const onCode = vi.fn();
    const onSubmit = vi.fn((event: Event) => event.preventDefault());
    render(
      <form onSubmit={(e) => onSubmit(e.nativeEvent)}>
        <input aria-label="Purpose" defaultValue="Audit" />
        <Scanner onCode={onCode} label="Scan a crate" />
      </form>,
    );
    await userEvent.type(
      screen.getByRole('textbox', { name: 'Scan a crate' }),
      '  CRT-GOA-2026-000001 {Enter}',
    );
    expect(onCode).toHaveBeenCalledWith('CRT-GOA-2026-000001');
    expect(onSubmit).not.toHaveBeenCalled();
    expect((screen.getByRole('textbox', { name: 'Scan a crate' }) as HTMLInputElement).value).toBe(
      '',
    );
    expect((screen.getByLabelText('Purpose') as HTMLInputElement).value).toBe('Audit');
  });

  it('ignores Enter on an empty box and shows the message it is given', async () => {
    const onCode = vi.fn();
    render(
      <Scanner
        onCode={onCode}
        message={{ tone: 'error', text: 'X is not a crate of your units.' }}
      />,
    );
    await userEvent.type(screen.getByRole('textbox', { name: 'Scan or type a code' }), '{Enter}');
    expect(onCode).not.toHaveBeenCalled();
    expect(screen.getByRole('alert').textContent).toBe('X is not a crate of your units.');
  });

  it('offers the camera unless told not to', () => {
    const { rerender } = render(<Scanner onCode={vi.fn()} />);
    expect(screen.getByRole('button', { name: 'Camera' })).toBeTruthy();
    rerender(<Scanner onCode={vi.fn()} camera={false} />);
    expect(screen.queryByRole('button', { name: 'Camera' })).toBeNull();
  });
});

describe('resolveScan', () => {
  it('is null for a code the API does not know (404) and the result otherwise', async () => {
    const result = {
      kind: 'location',
      id: 3,
      number_or_code: 'LOC-GOA-S1',
      status: 'active',
      location_path: 'Room / Shelf 1',
      crate: null,
      unit: 'GOA',
    };
    const fetchMock = vi
      .fn()
      .mockResolvedValueOnce(
        new Response(JSON.stringify({ detail: 'nope', code: 'not_found' }), {
          status: 404,
          headers: { 'Content-Type': 'application/json' },
        }),
      )
      .mockResolvedValueOnce(
        new Response(JSON.stringify(result), {
          status: 200,
          headers: { 'Content-Type': 'application/json' },
        }),
      );
    vi.stubGlobal('fetch', fetchMock);
    expect(await resolveScan('garbage')).toBeNull();
    expect(await resolveScan('LOC-GOA-S1')).toEqual(result);
    expect(fetchMock.mock.calls[1][0]).toBe('/api/scan/?code=LOC-GOA-S1');
  });
});

import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChangesList, readableValue } from './audit-timeline';

describe('history values', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('reads booleans, empties and dates as words', () => {
    expect(readableValue(false)).toBe('No');
    expect(readableValue(true)).toBe('Yes');
    expect(readableValue(null)).toBe('none');
    expect(readableValue('2025-02-01')).not.toBe('2025-02-01');
  });

  it('names a department instead of its id, and a first value without "none →"', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: RequestInfo | URL) =>
        String(input).startsWith('/api/departments/3/')
          ? new Response(JSON.stringify({ id: 3, code: 'QA', name: 'Quality Assurance' }), {
              status: 200,
              headers: { 'Content-Type': 'application/json' },
            })
          : new Response('{}', { status: 404 }),
      ),
    );
    render(
      <QueryClientProvider client={new QueryClient()}>
        <ChangesList changes={{ department: [null, 3], legal_hold: [true, false] }} />
      </QueryClientProvider>,
    );
    expect(await screen.findByText('Quality Assurance')).toBeTruthy();
    const items = screen.getAllByRole('listitem').map((li) => li.textContent);
    expect(items).toEqual(['Department Quality Assurance', 'Legal hold Yes → No']);
  });
});

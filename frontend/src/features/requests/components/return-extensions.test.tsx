import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DmsRequest, ReturnExtension } from '@/lib/types';
import { makeUser } from '@/test/factories';
import { json, page, renderScreen, stubApi, writes } from '@/test/render';
import { ReturnExtensions } from './return-extensions';

afterEach(() => vi.unstubAllGlobals());

function withdrawal(overrides: Partial<DmsRequest> = {}): DmsRequest {
  return {
    id: 21,
    number: 'REQ-2026-000021',
    request_type: 'withdrawal',
    status: 'issued',
    expected_return_date: '2026-12-20',
    allowed_actions: [],
    ...overrides,
  } as DmsRequest;
}

function extension(overrides: Partial<ReturnExtension> = {}): ReturnExtension {
  return {
    id: 4,
    request: 21,
    request_number: 'REQ-2026-000021',
    request_status: 'issued',
    unit: 1,
    unit_code: 'GOA',
    requester: 7,
    requester_name: 'Divya Docmanager',
    previous_date: '2026-12-20',
    requested_date: '2027-01-31',
    reason: 'Inspection extended',
    status: 'pending',
    decided_by: null,
    decided_by_name: '',
    decided_at: null,
    decision_comment: '',
    created_at: '2026-12-01T10:00:00Z',
    allowed_actions: [],
    ...overrides,
  };
}

const approver = makeUser({ id: 3, username: 'approver', full_name: 'Arjun Approver' });

describe('ReturnExtensions', () => {
  it('is not shown for other request types, nor when nothing can be asked or was asked', async () => {
    const calls = stubApi({ 'extensions/': page([]) });
    renderScreen(
      <>
        <ReturnExtensions request={withdrawal({ request_type: 'storage' })} />
        <ReturnExtensions request={withdrawal()} />
      </>,
    );
    await vi.waitFor(() => expect(calls.some((c) => c.path === 'extensions/')).toBe(true));
    expect(screen.queryByText('Return date extensions')).toBeNull();
    // Only the withdrawal asked which extensions it has.
    expect(
      calls.filter((c) => c.path === 'extensions/').map((c) => c.query.get('request')),
    ).toEqual(['21']);
  });

  it('the requester asks for a later date with a reason; the API gets both', async () => {
    const calls = stubApi({
      'extensions/': page([]),
      'POST requests/21/request-extension/': extension(),
    });
    renderScreen(
      <ReturnExtensions request={withdrawal({ allowed_actions: ['request_extension'] })} />,
    );
    await userEvent.click(
      await screen.findByRole('button', { name: 'Ask for a later return date' }),
    );
    const dialog = screen.getByRole('dialog', { name: 'Later return date for REQ-2026-000021' });
    await userEvent.type(within(dialog).getByLabelText(/New return date/), '2027-01-31');
    await userEvent.type(within(dialog).getByLabelText(/Reason/), 'Inspection extended');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Ask for the extension' }));
    await vi.waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(writes(calls).map((c) => [c.method, c.path, c.body])).toEqual([
      [
        'POST',
        'requests/21/request-extension/',
        { requested_date: '2027-01-31', reason: 'Inspection extended' },
      ],
    ]);
  });

  it("shows the server's refusal next to the date and keeps the dialog open", async () => {
    stubApi({
      'extensions/': page([]),
      'POST requests/21/request-extension/': () =>
        json({ requested_date: ['Choose a date after the current one (2026-12-20).'] }, 400),
    });
    renderScreen(
      <ReturnExtensions request={withdrawal({ allowed_actions: ['request_extension'] })} />,
    );
    await userEvent.click(
      await screen.findByRole('button', { name: 'Ask for a later return date' }),
    );
    const dialog = screen.getByRole('dialog');
    await userEvent.type(within(dialog).getByLabelText(/New return date/), '2026-12-10');
    await userEvent.type(within(dialog).getByLabelText(/Reason/), 'Longer');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Ask for the extension' }));
    expect(await within(dialog).findByText(/Choose a date after the current one/)).toBeTruthy();
    expect(screen.getByRole('dialog')).toBe(dialog);
  });

  it('an Approver approves with an e-signature whose meaning is "return extended"', async () => {
    const calls = stubApi({
      'extensions/': page([extension({ allowed_actions: ['approve', 'reject'] })]),
      'POST extensions/4/approve/': extension({ status: 'approved' }),
    });
    renderScreen(<ReturnExtensions request={withdrawal()} />, { user: approver });
    const table = await screen.findByTestId('extensions-table');
    expect(within(table).getByText('Inspection extended')).toBeTruthy();
    await userEvent.click(within(table).getByRole('button', { name: 'Approve' }));
    const dialog = screen.getByTestId('signature-dialog');
    expect(within(dialog).getByTestId('signature-meaning').textContent).toBe('Return extended');
    expect(within(dialog).getByText('Arjun Approver')).toBeTruthy();
    await userEvent.type(within(dialog).getByLabelText(/Password/), 'Demo@12345678');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Sign and extend' }));
    await vi.waitFor(() => expect(screen.queryByTestId('signature-dialog')).toBeNull());
    expect(writes(calls).map((c) => [c.method, c.path, c.body])).toEqual([
      ['POST', 'extensions/4/approve/', { password: 'Demo@12345678', comment: '' }],
    ]);
  });

  it('a refusal needs a comment before anything is sent', async () => {
    const calls = stubApi({
      'extensions/': page([extension({ allowed_actions: ['approve', 'reject'] })]),
    });
    renderScreen(<ReturnExtensions request={withdrawal()} />, { user: approver });
    await userEvent.click(await screen.findByRole('button', { name: 'Reject' }));
    const dialog = screen.getByTestId('signature-dialog');
    expect(within(dialog).getByTestId('signature-meaning').textContent).toBe('Rejected');
    await userEvent.type(within(dialog).getByLabelText(/Password/), 'Demo@12345678');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Sign and refuse' }));
    expect(within(dialog).getByText('A comment is required.')).toBeTruthy();
    expect(writes(calls)).toEqual([]);
  });

  it('offers no decision on an extension the user may not decide', async () => {
    stubApi({
      'extensions/': page([
        extension({
          status: 'approved',
          decided_by_name: 'Arjun Approver',
          decision_comment: 'ok',
        }),
      ]),
    });
    renderScreen(<ReturnExtensions request={withdrawal()} />);
    const table = await screen.findByTestId('extensions-table');
    expect(within(table).getByText(/by Arjun Approver: ok/)).toBeTruthy();
    expect(within(table).queryByRole('button')).toBeNull();
  });
});

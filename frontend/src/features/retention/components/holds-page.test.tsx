import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { json, page, renderScreen, stubApi, writes, type ApiCall } from '@/test/render';
import { makeUser } from '@/test/factories';
import { HoldsPage } from './holds-page';

const approver = makeUser({
  username: 'approver',
  full_name: 'Anita Approver',
  roles: ['Approver'],
  capabilities: ['set_legal_hold'],
});

function api(placeAnswer: () => Response) {
  return stubApi({
    'auth/me/': approver,
    'holds/': page([]),
    'departments/': page([{ id: 3, unit: 1, code: 'QA', name: 'Quality Assurance' }]),
    'document-types/': page([{ id: 7, code: 'BMR', name: 'Batch record' }]),
    'POST holds/': placeAnswer,
    'POST holds/signature-content/': (call: { body: unknown }) => ({
      content: { record: { type: 'legalhold', id: null, number: null }, hold: call.body },
    }),
  });
}

async function openDialog() {
  await userEvent.click(await screen.findByRole('button', { name: 'Place a legal hold' }));
  return screen.getByRole('dialog', { name: 'Place a legal hold' });
}

/** The placement itself, not the previews of what it signs. */
const placements = (calls: ApiCall[]) => writes(calls).filter((c) => c.path === 'holds/');

describe('Place a legal hold', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('is the shared signature dialog: meaning, signer, the hold fields, the password', async () => {
    const calls = api(() => json({ id: 5 }, 201));
    const { router } = renderScreen(<HoldsPage />, { path: '/holds', user: approver });
    const dialog = await openDialog();
    expect(within(dialog).getByTestId('signature-meaning').textContent).toBe('Hold placed');
    expect(dialog.textContent).toContain('Anita Approver');
    await userEvent.type(within(dialog).getByLabelText(/Title/), 'Litigation 12/2026');
    await userEvent.type(within(dialog).getByLabelText(/^Reason/), 'Court order');
    await userEvent.selectOptions(within(dialog).getByLabelText('Document type'), '7');
    // Exactly what is signed, as the server gives it for the form as it now is.
    const shown = await within(dialog).findByTestId('signature-content');
    expect(JSON.parse(shown.textContent ?? '{}').hold).toEqual({
      title: 'Litigation 12/2026',
      reason: 'Court order',
      department: null,
      document_type: 7,
      record_date_from: null,
      record_date_to: null,
    });
    // No password: nothing placed.
    await userEvent.click(within(dialog).getByRole('button', { name: 'Sign and place hold' }));
    expect(within(dialog).getByText('Enter your password to sign.')).toBeTruthy();
    expect(placements(calls)).toHaveLength(0);

    await userEvent.type(within(dialog).getByLabelText(/^Password/), 'Demo@12345678');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Sign and place hold' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/holds/5'));
    expect(placements(calls).map((c) => c.body)).toEqual([
      {
        title: 'Litigation 12/2026',
        reason: 'Court order',
        department: null,
        document_type: 7,
        record_date_from: null,
        record_date_to: null,
        password: 'Demo@12345678',
      },
    ]);
  });

  it('shows an empty scope and a wrong password where they belong, and stays open', async () => {
    let answer = () =>
      json({ scope: ['Give the scope of the hold: crates and/or a unit, department, …'] }, 400);
    api(() => answer());
    renderScreen(<HoldsPage />, { path: '/holds', user: approver });
    const dialog = await openDialog();
    await userEvent.type(within(dialog).getByLabelText(/Title/), 'Litigation');
    await userEvent.type(within(dialog).getByLabelText(/^Reason/), 'Court order');
    await userEvent.type(within(dialog).getByLabelText(/^Password/), 'Demo@12345678');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Sign and place hold' }));
    expect(await within(dialog).findByText(/Give the scope of the hold/)).toBeTruthy();

    answer = () => json({ detail: 'The password is wrong.', code: 'invalid_signature' }, 403);
    await userEvent.type(within(dialog).getByLabelText(/^Password/), 'wrong');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Sign and place hold' }));
    expect(await within(dialog).findByText(/password is not correct/)).toBeTruthy();
    expect(screen.getByRole('dialog', { name: 'Place a legal hold' })).toBeTruthy();
  });
});

import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeUser } from '@/test/factories';
import { json, page, renderScreen, stubApi, writes } from '@/test/render';
import { SimpleCrud } from './simple-crud';

afterEach(() => vi.unstubAllGlobals());

const unit = { id: 2, code: 'KUR', name: 'Kurkumbh Plant', address: '', is_active: true };

function renderUnits() {
  renderScreen(
    <SimpleCrud
      title="Units"
      root={['units']}
      path="units/"
      canEdit
      fields={[
        { name: 'code', label: 'Code', required: true },
        { name: 'name', label: 'Name', required: true },
        { name: 'is_active', label: 'Active', type: 'checkbox' },
      ]}
      reasonRequired={(before, after) => before.is_active === true && after.is_active === false}
    />,
    { user: makeUser({ capabilities: ['see_all_units', 'manage_units'] }) },
  );
}

describe('SimpleCrud reason for change', () => {
  it('asks for a reason before deactivating, and sends it', async () => {
    const calls = stubApi({
      'units/': page([unit]),
      'PATCH units/2/': (call) => json({ ...unit, ...(call.body as object) }),
    });
    renderUnits();
    await userEvent.click(await screen.findByRole('button', { name: 'Edit' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(within(dialog).getByLabelText('Active'));
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(await within(dialog).findByText('Give the reason for this change.')).toBeTruthy();
    expect(writes(calls)).toHaveLength(0);

    await userEvent.type(within(dialog).getByLabelText(/^Reason for change/), 'Site closed');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(writes(calls)).toHaveLength(1));
    expect(writes(calls)[0].body).toMatchObject({ is_active: false, reason: 'Site closed' });
  });

  it('renames without a reason', async () => {
    const calls = stubApi({
      'units/': page([unit]),
      'PATCH units/2/': (call) => json({ ...unit, ...(call.body as object) }),
    });
    renderUnits();
    await userEvent.click(await screen.findByRole('button', { name: 'Edit' }));
    const dialog = await screen.findByRole('dialog');
    const name = within(dialog).getByLabelText(/^Name/);
    await userEvent.clear(name);
    await userEvent.type(name, 'Kurkumbh');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(writes(calls)).toHaveLength(1));
    expect(writes(calls)[0].body).not.toHaveProperty('reason');
  });
});

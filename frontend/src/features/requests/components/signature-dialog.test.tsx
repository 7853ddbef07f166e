import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '@/lib/api-client';
import { SignatureDialog } from './signature-dialog';

function renderDialog(props: Partial<Parameters<typeof SignatureDialog>[0]> = {}) {
  const onSign = props.onSign ?? vi.fn().mockResolvedValue({});
  const onClose = props.onClose ?? vi.fn();
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <SignatureDialog
        open
        title="Approve REQ-2026-000001"
        meaning="approved"
        signerName="Anita Approver"
        recordLabel="Storage request REQ-2026-000001"
        confirmLabel="Sign and approve"
        {...props}
        onSign={onSign}
        onClose={onClose}
      />
    </QueryClientProvider>,
  );
  return { onSign, onClose };
}

describe('SignatureDialog', () => {
  it('shows the signer and the meaning of the signature', () => {
    renderDialog();
    expect(screen.getByRole('dialog', { name: 'Approve REQ-2026-000001' })).toBeTruthy();
    expect(screen.getByTestId('signature-meaning').textContent).toBe('Approved');
    expect(screen.getByText('Anita Approver')).toBeTruthy();
  });

  it('requires the password before signing', async () => {
    const { onSign } = renderDialog();
    await userEvent.click(screen.getByRole('button', { name: 'Sign and approve' }));
    expect(screen.getByText('Enter your password to sign.')).toBeTruthy();
    expect(onSign).not.toHaveBeenCalled();
  });

  it('requires a comment for a rejection', async () => {
    const { onSign } = renderDialog({
      meaning: 'rejected',
      commentRequired: true,
      confirmLabel: 'Sign and reject',
    });
    await userEvent.type(screen.getByLabelText(/Password/), 'Demo@12345678');
    await userEvent.click(screen.getByRole('button', { name: 'Sign and reject' }));
    expect(screen.getByText('A comment is required.')).toBeTruthy();
    expect(onSign).not.toHaveBeenCalled();
  });

  it('signs with password and comment, then closes', async () => {
    const { onSign, onClose } = renderDialog();
    await userEvent.type(screen.getByLabelText(/Password/), 'Demo@12345678');
    await userEvent.type(screen.getByLabelText(/Comment/), 'Looks complete');
    await userEvent.click(screen.getByRole('button', { name: 'Sign and approve' }));
    expect(onSign).toHaveBeenCalledWith({ password: 'Demo@12345678', comment: 'Looks complete' });
    expect(onClose).toHaveBeenCalled();
  });

  it('shows a wrong password next to the password field and stays open', async () => {
    const onSign = vi
      .fn()
      .mockRejectedValue(
        new ApiError(403, { detail: 'Signature failed.', code: 'invalid_signature' }),
      );
    const { onClose } = renderDialog({ onSign });
    await userEvent.type(screen.getByLabelText(/Password/), 'wrong-password');
    await userEvent.click(screen.getByRole('button', { name: 'Sign and approve' }));
    const password = screen.getByLabelText(/Password/) as HTMLInputElement;
    expect(await screen.findByText(/password is not correct/)).toBeTruthy();
    expect(password.getAttribute('aria-invalid')).toBe('true');
    expect(password.value).toBe('');
    expect(onClose).not.toHaveBeenCalled();
  });

  it('shows a conflict (409) as a general error', async () => {
    const onSign = vi
      .fn()
      .mockRejectedValue(
        new ApiError(409, { detail: 'Request is already approved.', code: 'invalid_transition' }),
      );
    renderDialog({ onSign });
    await userEvent.type(screen.getByLabelText(/Password/), 'Demo@12345678');
    await userEvent.click(screen.getByRole('button', { name: 'Sign and approve' }));
    expect((await screen.findByRole('alert')).textContent).toContain(
      'Request is already approved.',
    );
  });

  it('shows exactly what is signed, with the comment as typed', async () => {
    renderDialog({
      content: {
        record: { type: 'request', number: 'REQ-2026-000001' },
        items: [{ crate: 'CRT-GOA-2026-000001', document: null }],
        meaning: 'approved',
        comment: '',
      },
    });
    await userEvent.type(screen.getByLabelText(/Comment/), 'Looks complete');
    const shown = JSON.parse(screen.getByTestId('signature-content').textContent ?? '{}');
    expect(shown).toEqual({
      record: { type: 'request', number: 'REQ-2026-000001' },
      items: [{ crate: 'CRT-GOA-2026-000001', document: null }],
      meaning: 'approved',
      comment: 'Looks complete',
    });
  });

  it('shows content that repeats the comment as typed (a hold release signs its reason)', async () => {
    renderDialog({
      meaning: 'hold_released',
      content: (comment) => ({ title: 'FDA inquiry', release_reason: comment, comment: '' }),
    });
    await userEvent.type(screen.getByLabelText(/Comment/), 'Inquiry closed');
    const shown = JSON.parse(screen.getByTestId('signature-content').textContent ?? '{}');
    expect(shown).toEqual({
      title: 'FDA inquiry',
      release_reason: 'Inquiry closed',
      comment: 'Inquiry closed',
    });
  });

  it('offers the certification when the signer has not certified yet', async () => {
    const onSign = vi.fn().mockRejectedValue(
      new ApiError(403, {
        detail: 'Certify your electronic signature before your first signature.',
        code: 'certification_required',
      }),
    );
    const { onClose } = renderDialog({ onSign });
    await userEvent.type(screen.getByLabelText(/^Password/), 'Demo@12345678');
    await userEvent.click(screen.getByRole('button', { name: 'Sign and approve' }));
    expect((await screen.findByTestId('certification-required')).textContent).toContain(
      'Certify your electronic signature below',
    );
    expect(screen.getByRole('button', { name: 'Certify my electronic signature' })).toBeTruthy();
    expect(onClose).not.toHaveBeenCalled();
  });
});

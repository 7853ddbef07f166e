import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AuditReview } from '@/lib/types';
import { makeUser } from '@/test/factories';
import { json, page, renderScreen, stubApi, writes } from '@/test/render';
import { AuditReviews } from './audit-reviews';

afterEach(() => vi.unstubAllGlobals());

const approver = makeUser({
  username: 'approver',
  full_name: 'Arjun Approver',
  capabilities: ['read_audit', 'review_audit'],
});

const review: AuditReview = {
  id: 3,
  number: 'AR-2026-0003',
  unit: 1,
  unit_code: 'GOA',
  from: '2026-10-01',
  to: '2026-10-31',
  comment: 'October: nothing unexplained',
  reviewed_by: 5,
  reviewed_by_name: 'Arjun Approver',
  reviewed_at: '2026-11-02T09:00:00Z',
  events_reviewed: 412,
  first_sequence: 1001,
  last_sequence: 1412,
  chain_head_sequence: 1500,
  chain_head_hash: 'ab'.repeat(32),
  signatures: [],
};

describe('AuditReviews', () => {
  it('says when the trail was last reviewed and lists the reviews with their chain head', async () => {
    stubApi({ 'audit/reviews/': page([review]) });
    renderScreen(<AuditReviews />, { user: approver });
    const last = await screen.findByTestId('last-review');
    await waitFor(() =>
      expect(last.textContent).toMatch(/^Last reviewed: .* \(GOA\), by Arjun Approver/),
    );
    const [row] = within(screen.getByTestId('audit-reviews')).getAllByRole('row').slice(1);
    expect(row.textContent).toMatch('AR-2026-0003');
    expect(row.textContent).toMatch('412');
    expect(row.textContent).toMatch('#1500 abababababab…');
  });

  it('offers no review to a reader without the capability', async () => {
    stubApi({ 'audit/reviews/': page([]) });
    renderScreen(<AuditReviews />, { user: makeUser({ capabilities: ['read_audit'] }) });
    expect(await screen.findByText('The audit trail has not been reviewed yet.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Record a review' })).toBeNull();
  });

  it('records a review from the day after the last one, signed with the password', async () => {
    const calls = stubApi({
      'audit/reviews/': page([review]),
      'audit/': page([]),
      'POST audit/reviews/': (call) =>
        (call.body as { password: string }).password === 'right'
          ? json({ ...review, id: 4 }, 201)
          : json({ detail: 'The password is wrong.', code: 'invalid_signature' }, 403),
    });
    renderScreen(<AuditReviews />, { user: approver });
    await userEvent.click(await screen.findByRole('button', { name: 'Record a review' }));
    const dialog = await screen.findByTestId('signature-dialog');
    expect(within(dialog).getByTestId('signature-meaning').textContent).toMatch('Audit reviewed');
    expect((within(dialog).getByLabelText(/^From/) as HTMLInputElement).value).toBe('2026-11-01');
    const signed = JSON.parse(within(dialog).getByTestId('signature-content').textContent ?? '');
    expect(signed).toMatchObject({ from: '2026-11-01', meaning: 'audit_reviewed' });

    await userEvent.type(within(dialog).getByLabelText(/^Comment/), 'November reviewed');
    await userEvent.type(within(dialog).getByLabelText(/^Password/), 'wrong');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Sign the review' }));
    expect(await within(dialog).findByText(/The password is not correct/)).toBeTruthy();

    await userEvent.type(within(dialog).getByLabelText(/^Password/), 'right');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Sign the review' }));
    await waitFor(() => expect(screen.queryByTestId('signature-dialog')).toBeNull());
    const posts = writes(calls);
    expect(posts).toHaveLength(2);
    expect(posts[1].body).toMatchObject({
      from: '2026-11-01',
      comment: 'November reviewed',
      password: 'right',
    });
  });
});

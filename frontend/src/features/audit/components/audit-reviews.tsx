import { useState } from 'react';
import { ErrorMessage, fieldError } from '@/components/ui/error-message';
import { Field } from '@/components/ui/field';
import { Card, Empty, SCROLLABLE } from '@/components/ui/misc';
import { useCurrentUser } from '@/contexts/AuthContext';
import {
  SignatureDialog,
  type SignatureInput,
} from '@/features/requests/components/signature-dialog';
import { can } from '@/lib/capabilities';
import { formatDate, formatDateTime, todayIso } from '@/lib/format';
import type { AuditReview } from '@/lib/types';
import { useAuditReviews, useEventsInRange, useRecordReview } from '../api/reviews';

function dayAfter(iso: string): string {
  const day = new Date(`${iso}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() + 1);
  return day.toISOString().slice(0, 10);
}

function monthBefore(iso: string): string {
  const day = new Date(`${iso}T00:00:00Z`);
  day.setUTCMonth(day.getUTCMonth() - 1);
  return day.toISOString().slice(0, 10);
}

function ReviewDialog({
  open,
  last,
  onClose,
}: {
  open: boolean;
  last: AuditReview | undefined;
  onClose: () => void;
}) {
  const user = useCurrentUser();
  const today = todayIso();
  // The next review starts the day after the last one ended (no gap, no overlap).
  const start = last && last.to < today ? dayAfter(last.to) : monthBefore(today);
  const [range, setRange] = useState({ from: start, to: today });
  const record = useRecordReview();
  const events = useEventsInRange(range.from, range.to, open);
  const scope = user.unit ? 'your unit' : 'every unit';
  const sign = async ({ password, comment }: SignatureInput) => {
    await record.mutateAsync({ from: range.from, to: range.to, comment, password });
  };
  return (
    <SignatureDialog
      open={open}
      title="Record an audit-trail review"
      meaning="audit_reviewed"
      signerName={user.full_name || user.username}
      recordLabel={`the audit trail of ${scope}, ${formatDate(range.from)} to ${formatDate(range.to)}`}
      commentRequired
      confirmLabel="Sign the review"
      content={{
        from: range.from,
        to: range.to,
        unit: user.unit ? 'your unit' : 'all units',
        events_in_range: events.data ?? null,
        chain_head: 'the end of the audit chain when you sign',
        meaning: 'audit_reviewed',
      }}
      handledFields={['from', 'to', 'unit']}
      onClose={onClose}
      onSign={sign}
    >
      <div className="form-grid" data-testid="review-range">
        <Field label="From" required error={fieldError(record.error, 'from')}>
          <input
            type="date"
            name="review-from"
            value={range.from}
            max={today}
            onChange={(e) => setRange({ ...range, from: e.target.value })}
          />
        </Field>
        <Field label="To" required error={fieldError(record.error, 'to')}>
          <input
            type="date"
            name="review-to"
            value={range.to}
            max={today}
            onChange={(e) => setRange({ ...range, to: e.target.value })}
          />
        </Field>
      </div>
      <p className="muted">
        Review the events of this range (filter the trail below by these dates), then sign. The
        review keeps the number of events and the end of the audit chain at the time you sign.
      </p>
    </SignatureDialog>
  );
}

/** When the audit trail was last reviewed, the latest reviews, and (Approver, System
 * Administrator) recording a review with an e-signature (docs/audit.md). */
export function AuditReviews() {
  const user = useCurrentUser();
  const reviews = useAuditReviews();
  const [open, setOpen] = useState(false);
  const rows = reviews.data?.results ?? [];
  const last = rows[0];
  return (
    <Card
      title="Audit-trail reviews"
      actions={
        can(user, 'review_audit') ? (
          <button type="button" className="btn btn--primary" onClick={() => setOpen(true)}>
            Record a review
          </button>
        ) : null
      }
    >
      <ErrorMessage error={reviews.error} />
      <p data-testid="last-review" role="status">
        {last
          ? `Last reviewed: ${formatDate(last.from)} to ${formatDate(last.to)}${
              last.unit_code ? ` (${last.unit_code})` : ' (all units)'
            }, by ${last.reviewed_by_name} on ${formatDateTime(last.reviewed_at)}.`
          : reviews.isLoading
            ? 'Loading reviews…'
            : 'The audit trail has not been reviewed yet.'}
      </p>
      {rows.length === 0 && !reviews.isLoading ? <Empty>No reviews recorded.</Empty> : null}
      {rows.length > 0 ? (
        <div className="table-wrap" {...SCROLLABLE}>
          <table className="table table--dense" data-testid="audit-reviews">
            <thead>
              <tr>
                <th scope="col">Review</th>
                <th scope="col">Range</th>
                <th scope="col">Unit</th>
                <th scope="col">Reviewed by</th>
                <th scope="col">Events</th>
                <th scope="col">Chain head</th>
                <th scope="col">Comment</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((review) => (
                <tr key={review.id}>
                  <td>{review.number}</td>
                  <td>
                    {formatDate(review.from)} – {formatDate(review.to)}
                  </td>
                  <td>{review.unit_code ?? 'All units'}</td>
                  <td>
                    {review.reviewed_by_name}
                    <br />
                    <span className="muted">{formatDateTime(review.reviewed_at)}</span>
                  </td>
                  <td>{review.events_reviewed}</td>
                  <td>
                    #{review.chain_head_sequence}{' '}
                    <code title={review.chain_head_hash}>
                      {review.chain_head_hash.slice(0, 12)}…
                    </code>
                  </td>
                  <td>{review.comment}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {open ? <ReviewDialog open={open} last={last} onClose={() => setOpen(false)} /> : null}
    </Card>
  );
}

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Dialog } from '@/components/ui/dialog';
import { ErrorMessage, fieldError } from '@/components/ui/error-message';
import { Field } from '@/components/ui/field';
import { Card, SCROLLABLE, StatusBadge } from '@/components/ui/misc';
import { useToast } from '@/components/ui/toast';
import { useCurrentUser } from '@/contexts/AuthContext';
import { api } from '@/lib/api-client';
import { formatDate, formatDateTime } from '@/lib/format';
import { queryKeys } from '@/lib/react-query';
import type { DmsRequest, Page, ReturnExtension } from '@/lib/types';
import { SignatureDialog, type SignatureInput } from './signature-dialog';

function AskDialog({
  request,
  open,
  onClose,
}: {
  request: DmsRequest;
  open: boolean;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const { notify } = useToast();
  const [date, setDate] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.post(`requests/${request.id}/request-extension/`, {
        requested_date: date,
        reason,
      });
      notify('Extension asked for; an Approver decides.', 'success');
      void queryClient.invalidateQueries({ queryKey: queryKeys.requests });
      onClose();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={open} title={`Later return date for ${request.number}`} onClose={onClose}>
      <form onSubmit={(e) => void submit(e)}>
        <p>
          Due back now: <strong>{formatDate(request.expected_return_date)}</strong>
        </p>
        <Field label="New return date" required error={fieldError(error, 'requested_date')}>
          <input type="date" value={date} onChange={(e) => setDate(e.target.value)} />
        </Field>
        <Field label="Reason" required error={fieldError(error, 'reason')}>
          <textarea value={reason} onChange={(e) => setReason(e.target.value)} rows={3} />
        </Field>
        <ErrorMessage error={error} handledFields={['requested_date', 'reason']} />
        <div className="form-actions">
          <button type="submit" className="btn btn--primary" disabled={busy}>
            Ask for the extension
          </button>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/**
 * Return-date extensions of an issued withdrawal: the requester asks (when the request offers
 * `request_extension`), an Approver approves or rejects with an electronic signature (each
 * extension's `allowed_actions`).
 */
export function ReturnExtensions({ request }: { request: DmsRequest }) {
  const user = useCurrentUser();
  const queryClient = useQueryClient();
  const { notify } = useToast();
  const [asking, setAsking] = useState(false);
  const [deciding, setDeciding] = useState<{
    extension: ReturnExtension;
    action: 'approve' | 'reject';
  } | null>(null);
  const canAsk = request.allowed_actions.includes('request_extension');
  const { data } = useQuery({
    queryKey: [...queryKeys.requests, request.id, 'extensions'],
    queryFn: ({ signal }) =>
      api.get<Page<ReturnExtension>>('extensions/', { request: request.id }, signal),
    enabled: request.request_type === 'withdrawal',
  });
  const extensions = data?.results ?? [];
  if (request.request_type !== 'withdrawal' || (!canAsk && extensions.length === 0)) return null;

  const decide = async (input: SignatureInput) => {
    if (!deciding) return;
    await api.post(`extensions/${deciding.extension.id}/${deciding.action}/`, input);
    notify(
      deciding.action === 'approve' ? 'Return date extended.' : 'Extension refused.',
      'success',
    );
    void queryClient.invalidateQueries({ queryKey: queryKeys.requests });
    setDeciding(null);
  };

  return (
    <Card
      title="Return date extensions"
      actions={
        canAsk ? (
          <button type="button" className="btn" onClick={() => setAsking(true)}>
            Ask for a later return date
          </button>
        ) : null
      }
    >
      {extensions.length === 0 ? <p className="muted">None asked for.</p> : null}
      {extensions.length > 0 ? (
        <div className="table-wrap" {...SCROLLABLE}>
          <table className="table" data-testid="extensions-table">
            <thead>
              <tr>
                <th scope="col">Asked</th>
                <th scope="col">By</th>
                <th scope="col">From → to</th>
                <th scope="col">Reason</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="sr-only">Decide</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {extensions.map((ext) => (
                <tr key={ext.id}>
                  <td>{formatDateTime(ext.created_at)}</td>
                  <td>{ext.requester_name}</td>
                  <td>
                    {formatDate(ext.previous_date)} → {formatDate(ext.requested_date)}
                  </td>
                  <td>{ext.reason}</td>
                  <td>
                    <StatusBadge status={ext.status} />
                    {ext.decided_by_name ? (
                      <small className="muted">
                        {' '}
                        by {ext.decided_by_name}
                        {ext.decision_comment ? `: ${ext.decision_comment}` : ''}
                      </small>
                    ) : null}
                  </td>
                  <td>
                    {ext.allowed_actions.includes('approve') ? (
                      <button
                        type="button"
                        className="btn btn--primary"
                        onClick={() => setDeciding({ extension: ext, action: 'approve' })}
                      >
                        Approve
                      </button>
                    ) : null}{' '}
                    {ext.allowed_actions.includes('reject') ? (
                      <button
                        type="button"
                        className="btn btn--danger"
                        onClick={() => setDeciding({ extension: ext, action: 'reject' })}
                      >
                        Reject
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <AskDialog request={request} open={asking} onClose={() => setAsking(false)} />
      <SignatureDialog
        open={deciding !== null}
        title={
          deciding?.action === 'approve'
            ? `Extend ${request.number} to ${formatDate(deciding.extension.requested_date)}`
            : `Refuse the extension of ${request.number}`
        }
        meaning={deciding?.action === 'approve' ? 'return_extended' : 'rejected'}
        signerName={user.full_name || user.username}
        recordLabel={`Withdrawal ${request.number}`}
        commentRequired={deciding?.action === 'reject'}
        confirmLabel={deciding?.action === 'approve' ? 'Sign and extend' : 'Sign and refuse'}
        onClose={() => setDeciding(null)}
        onSign={decide}
      />
    </Card>
  );
}

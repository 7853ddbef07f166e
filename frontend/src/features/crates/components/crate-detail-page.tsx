import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { Dialog } from '@/components/ui/dialog';
import { ErrorMessage, errorText, fieldError } from '@/components/ui/error-message';
import { Field } from '@/components/ui/field';
import {
  Card,
  DefinitionList,
  Loading,
  PageHeader,
  SCROLLABLE,
  StatusBadge,
} from '@/components/ui/misc';
import { useToast } from '@/components/ui/toast';
import { useCurrentUser } from '@/contexts/AuthContext';
import { useWatchEntity } from '@/contexts/WebSocketContext';
import { useDocumentTypes } from '@/features/admin/api/master-data';
import { AuditTimeline } from '@/features/audit/components/audit-timeline';
import { LocationPicker } from '@/features/storage/components/location-picker';
import { CrateNeighboursCard } from './crate-neighbours';
import { formatDate, formatDateTime, humanize, todayIso } from '@/lib/format';
import { queryKeys } from '@/lib/react-query';
import { can } from '@/lib/capabilities';
import type { Crate } from '@/lib/types';
import {
  createDocument,
  deleteDocument,
  openCrateLabel,
  useCrate,
  useCrateHistory,
  useDeleteCrate,
  useRelocateCrate,
  useSetLegalHold,
} from '../api/crates';

function LegalHoldDialog({
  crate,
  open,
  onClose,
}: {
  crate: Crate;
  open: boolean;
  onClose: () => void;
}) {
  const [reason, setReason] = useState('');
  const [password, setPassword] = useState('');
  const [localError, setLocalError] = useState<string | null>(null);
  const [passwordError, setPasswordError] = useState<string | null>(null);
  const mutation = useSetLegalHold(crate.id);
  const setting = !crate.legal_hold;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setLocalError(reason.trim() ? null : 'Give the reason; it is kept in the audit trail.');
    setPasswordError(password ? null : 'Enter your password to sign.');
    if (!reason.trim() || !password) return;
    mutation.mutate(
      { legal_hold: setting, reason: reason.trim(), password },
      { onSuccess: onClose, onError: () => setPassword('') },
    );
  };
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={setting ? 'Place legal hold' : 'Release legal hold'}
    >
      <form onSubmit={submit} noValidate className="form">
        <p>
          {setting
            ? 'A crate on legal hold cannot be destroyed until the hold is released.'
            : 'Releasing the hold allows destruction once retention has ended.'}
        </p>
        <Field label="Reason" required error={localError ?? fieldError(mutation.error, 'reason')}>
          <textarea rows={3} value={reason} onChange={(e) => setReason(e.target.value)} />
        </Field>
        <p className="muted">
          Meaning of this signature:{' '}
          <strong>{setting ? 'Legal hold placed' : 'Legal hold released'}</strong> on {crate.number}
          .
        </p>
        <Field label="Password (electronic signature)" required error={passwordError ?? undefined}>
          <input
            type="password"
            name="signature-password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </Field>
        <ErrorMessage error={mutation.error} handledFields={['reason']} />
        <div className="form-actions">
          <button type="submit" className="btn btn--primary" disabled={mutation.isPending}>
            {setting ? 'Place hold' : 'Release hold'}
          </button>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function RelocateDialog({
  crate,
  open,
  onClose,
}: {
  crate: Crate;
  open: boolean;
  onClose: () => void;
}) {
  const [location, setLocation] = useState<number | ''>('');
  const [localError, setLocalError] = useState<string | undefined>();
  const mutation = useRelocateCrate(crate.id);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!location) {
      setLocalError('Choose the new location.');
      return;
    }
    mutation.mutate(location, { onSuccess: onClose });
  };
  return (
    <Dialog open={open} onClose={onClose} title={`Relocate ${crate.number}`}>
      <form onSubmit={submit} noValidate className="form">
        <p>Now at: {crate.location_path || '—'}</p>
        <LocationPicker
          label="New location"
          unit={crate.unit}
          value={location}
          onChange={setLocation}
          excludeId={crate.location}
          error={localError ?? fieldError(mutation.error, 'location')}
        />
        <ErrorMessage error={mutation.error} handledFields={['location']} />
        <div className="form-actions">
          <button type="submit" className="btn btn--primary" disabled={mutation.isPending}>
            Relocate
          </button>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function AddDocumentForm({ crate }: { crate: Crate }) {
  const queryClient = useQueryClient();
  const types = useDocumentTypes();
  const [row, setRow] = useState({ number: '', title: '', document_type: '', record_date: '' });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await createDocument({ ...row, crate: crate.id, document_type: Number(row.document_type) });
      setRow({ number: '', title: '', document_type: '', record_date: '' });
      void queryClient.invalidateQueries({ queryKey: queryKeys.crates });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} className="doc-row" aria-label="Add document">
      <Field label="Number" error={fieldError(error, 'number')}>
        <input
          value={row.number}
          onChange={(e) => setRow({ ...row, number: e.target.value })}
          required
        />
      </Field>
      <Field label="Title" error={fieldError(error, 'title')}>
        <input
          value={row.title}
          onChange={(e) => setRow({ ...row, title: e.target.value })}
          required
        />
      </Field>
      <Field label="Type" error={fieldError(error, 'document_type')}>
        <select
          value={row.document_type}
          onChange={(e) => setRow({ ...row, document_type: e.target.value })}
          required
        >
          <option value="">Choose…</option>
          {types.data?.results.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Record date" error={fieldError(error, 'record_date')}>
        <input
          type="date"
          max={todayIso()}
          value={row.record_date}
          onChange={(e) => setRow({ ...row, record_date: e.target.value })}
          required
        />
      </Field>
      <button type="submit" className="btn" disabled={busy}>
        Add
      </button>
      <div className="span-all">
        <ErrorMessage
          error={error}
          handledFields={['number', 'title', 'document_type', 'record_date']}
        />
      </div>
    </form>
  );
}

export function CrateDetailPage() {
  const id = Number(useParams().id);
  const user = useCurrentUser();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { notify } = useToast();
  const { data: crate, error, isLoading } = useCrate(id);
  const history = useCrateHistory(id);
  const deleteCrate = useDeleteCrate();
  const [dialog, setDialog] = useState<'hold' | 'relocate' | null>(null);
  const [docError, setDocError] = useState<string | null>(null);
  useWatchEntity('crate', id, notify, 'Crate');

  if (isLoading) return <Loading />;
  if (error || !crate) return <ErrorMessage error={error ?? new Error('Crate not found')} />;

  // What this user may do with this crate now, as the API decides (docs/api.md).
  const actions = crate.allowed_actions;
  const editable = actions.includes('edit');
  const documents = crate.documents ?? [];

  const removeDocument = async (docId: number) => {
    setDocError(null);
    try {
      await deleteDocument(docId);
      void queryClient.invalidateQueries({ queryKey: queryKeys.crates });
    } catch (err) {
      setDocError(errorText(err));
    }
  };

  return (
    <>
      <PageHeader
        title={crate.number}
        actions={
          <>
            <button
              type="button"
              className="btn"
              onClick={() => void openCrateLabel(crate).catch((e) => notify(errorText(e), 'error'))}
            >
              Print label
            </button>
            {editable && can(user, 'raise_requests') ? (
              <Link
                to={`/requests/new?type=storage&crate=${crate.id}`}
                className="btn btn--primary"
              >
                Request storage
              </Link>
            ) : null}
            {actions.includes('request_withdrawal') ? (
              <Link to={`/requests/new?type=withdrawal&crate=${crate.id}`} className="btn">
                Request withdrawal
              </Link>
            ) : null}
            {actions.includes('request_destruction') ? (
              <Link to={`/requests/new?type=destruction&crate=${crate.id}`} className="btn">
                Request destruction
              </Link>
            ) : null}
            {actions.includes('request_transfer') ? (
              <Link to={`/requests/new?type=transfer&crate=${crate.id}`} className="btn">
                Request transfer
              </Link>
            ) : null}
            {actions.includes('relocate') ? (
              <button type="button" className="btn" onClick={() => setDialog('relocate')}>
                Relocate
              </button>
            ) : null}
            {actions.includes('set_legal_hold') ? (
              <button type="button" className="btn" onClick={() => setDialog('hold')}>
                {crate.legal_hold ? 'Release legal hold' : 'Place legal hold'}
              </button>
            ) : null}
            {actions.includes('delete') ? (
              <button
                type="button"
                className="btn btn--danger"
                onClick={() => {
                  if (window.confirm(`Delete draft crate ${crate.number}?`)) {
                    deleteCrate.mutate(crate.id, { onSuccess: () => navigate('/crates') });
                  }
                }}
              >
                Delete draft
              </button>
            ) : null}
          </>
        }
      />
      <ErrorMessage error={deleteCrate.error} />
      <div className="grid-2">
        <Card title="Crate">
          <DefinitionList
            items={[
              ['Status', <StatusBadge key="s" status={crate.status} />],
              ['Unit', crate.unit_code ?? crate.unit],
              ['Department', crate.department_name ?? crate.department],
              [
                'Location',
                <span key="l" data-testid="crate-location">
                  {crate.location_path || 'Not stored'}
                </span>,
              ],
              ['Description', crate.description],
              ['Retention until', formatDate(crate.retention_until)],
              [
                'Legal hold',
                crate.legal_hold ? (
                  <span key="h">
                    <span className="badge badge--hold">On hold</span>{' '}
                    {crate.holds.map((hold, index) => (
                      <span key={hold.id}>
                        {index ? ', ' : ''}
                        <Link to={`/holds/${hold.id}`}>{hold.number}</Link> {hold.title}
                      </span>
                    ))}
                  </span>
                ) : (
                  'No'
                ),
              ],
              [
                'Created',
                `${formatDateTime(crate.created_at)}${crate.created_by_name ? ` by ${crate.created_by_name}` : ''}`,
              ],
            ]}
          />
        </Card>
        <Card title="History">
          {history.isLoading ? <Loading /> : null}
          <ErrorMessage error={history.error} />
          {history.data ? <AuditTimeline events={history.data} /> : null}
        </Card>
      </div>
      <Card title={`Documents (${documents.length})`}>
        {docError ? (
          <div className="alert alert--error" role="alert">
            {docError}
          </div>
        ) : null}
        <div className="table-wrap" {...SCROLLABLE}>
          <table className="table" data-testid="documents-table">
            <thead>
              <tr>
                <th scope="col">Number</th>
                <th scope="col">Title</th>
                <th scope="col">Type</th>
                <th scope="col">Record date</th>
                <th scope="col">Retention until</th>
                <th scope="col">Status</th>
                {editable ? (
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {documents.map((doc) => (
                <tr key={doc.id}>
                  <td>{doc.number}</td>
                  <td>{doc.title}</td>
                  <td>{doc.document_type_name ?? doc.document_type}</td>
                  <td>{formatDate(doc.record_date)}</td>
                  <td>{formatDate(doc.retention_until)}</td>
                  <td>{humanize(doc.status)}</td>
                  {editable ? (
                    <td>
                      <button
                        type="button"
                        className="btn btn--ghost"
                        onClick={() => void removeDocument(doc.id)}
                      >
                        Remove
                      </button>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {editable ? <AddDocumentForm crate={crate} /> : null}
      </Card>
      <CrateNeighboursCard crateId={crate.id} />
      <LegalHoldDialog crate={crate} open={dialog === 'hold'} onClose={() => setDialog(null)} />
      <RelocateDialog crate={crate} open={dialog === 'relocate'} onClose={() => setDialog(null)} />
    </>
  );
}

import { useState, type FormEvent, type ReactNode } from 'react';
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
import { api } from '@/lib/api-client';
import { formatDate, formatDateTime, humanize } from '@/lib/format';
import type { DestructionMethod, DmsRequest, SendBack, SignatureVerification } from '@/lib/types';
import {
  downloadCertificate,
  useCreateSendback,
  useRequest,
  useRequestAction,
  useSendbacks,
  useSignatureContent,
  useWitnessCandidates,
  type DestructionRecord,
} from '../api/requests';
import { Scanner, type ScannerMessage } from '@/components/scanner/scanner';
import { AllocationDialog } from './allocation-dialog';
import { PickListPanel } from './pick-list-panel';
import { RequestContextCard } from './request-context';
import { ReturnExtensions } from './return-extensions';
import { SignatureDialog } from './signature-dialog';

type DialogKind =
  'approve' | 'reject' | 'execute' | 'destroy' | 'receive' | 'dispatch' | 'sendback' | null;

/** A place with its unit ("GOA · Archive Room 1 / Shelf 2"): after a transfer, units differ. */
export function placeLabel(unitCode: string | null | undefined, path: string | null | undefined) {
  if (!path) return '—';
  return unitCode ? `${unitCode} · ${path}` : path;
}

function RequestTimeline({ request, sendbacks }: { request: DmsRequest; sendbacks: SendBack[] }) {
  const entries: { at: string; text: string; detail?: string }[] = [
    { at: request.created_at, text: `Created by ${request.requester_name ?? 'requester'}` },
  ];
  if (request.submitted_at)
    entries.push({ at: request.submitted_at, text: 'Submitted for approval' });
  for (const signature of request.signatures ?? []) {
    entries.push({
      at: signature.signed_at,
      text: `Signed “${humanize(signature.meaning)}” by ${signature.full_name}`,
    });
  }
  if (request.decided_at && !(request.signatures ?? []).length) {
    entries.push({
      at: request.decided_at,
      text: `Decision by ${request.decided_by_name ?? 'approver'}`,
      detail: request.decision_comment,
    });
  }
  if (request.executed_at) {
    entries.push({
      at: request.executed_at,
      text: `Executed by ${request.executed_by_name ?? 'store head'}`,
    });
  }
  if (request.received_at) {
    entries.push({
      at: request.received_at,
      text: `Received at ${request.target_unit_code ?? 'the target unit'} by ${request.received_by_name ?? 'store head'}`,
    });
  }
  for (const sendback of sendbacks) {
    entries.push({
      at: sendback.created_at,
      text: `Send-back ${sendback.number} by ${sendback.returned_by_name ?? 'requester'}`,
      detail: sendback.condition_notes || undefined,
    });
    if (sendback.received_at) {
      entries.push({
        at: sendback.received_at,
        text: `Send-back ${sendback.number} received by ${sendback.received_by_name ?? 'store head'}`,
      });
    }
  }
  entries.sort((a, b) => a.at.localeCompare(b.at));
  return (
    <ol className="timeline" data-testid="request-timeline">
      {entries.map((entry, index) => (
        <li key={index} className="timeline__item">
          <div className="timeline__head">{entry.text}</div>
          <div className="timeline__meta">{formatDateTime(entry.at)}</div>
          {entry.detail ? <div className="timeline__comment">“{entry.detail}”</div> : null}
        </li>
      ))}
      <li className="timeline__item timeline__item--now">
        <div className="timeline__head">
          Now: <StatusBadge status={request.status} />
        </div>
      </li>
    </ol>
  );
}

function SendBackDialog({
  request,
  open,
  onClose,
}: {
  request: DmsRequest;
  open: boolean;
  onClose: () => void;
}) {
  // Items still out under this withdrawal.
  const outstanding = request.items.filter((item) => item.is_open ?? !item.returned_at);
  const [picked, setPicked] = useState<number[]>([]);
  const [notes, setNotes] = useState('');
  const [localError, setLocalError] = useState<string | null>(null);
  const create = useCreateSendback();
  const { notify } = useToast();
  const [scanMessage, setScanMessage] = useState<ScannerMessage | null>(null);
  // A returned crate's (or document's) label ticks what it returns; nothing else is accepted.
  const onScan = (code: string) => {
    const wanted = code.toUpperCase();
    const byDocument = outstanding.filter((i) => i.document_number?.toUpperCase() === wanted);
    const matched = byDocument.length
      ? byDocument
      : outstanding.filter((i) => i.crate_number?.toUpperCase() === wanted);
    if (!matched.length) {
      setScanMessage({ tone: 'error', text: `${code} is not out under ${request.number}.` });
      return;
    }
    setPicked((list) => [...new Set([...list, ...matched.map((i) => i.id)])]);
    setScanMessage({ tone: 'ok', text: `${code} ticked.` });
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (picked.length === 0) {
      setLocalError('Choose what is being returned.');
      return;
    }
    setLocalError(null);
    create.mutate(
      {
        request: request.id,
        items: outstanding
          .filter((item) => picked.includes(item.id))
          .map((item) =>
            item.document ? { crate: item.crate, document: item.document } : { crate: item.crate },
          ),
        condition_notes: notes,
      },
      {
        onSuccess: (sendback) => {
          notify(
            `Send-back ${sendback.number} created; the store head will receive it.`,
            'success',
          );
          onClose();
        },
      },
    );
  };
  return (
    <Dialog open={open} onClose={onClose} title={`Send back items of ${request.number}`}>
      <form className="form" onSubmit={submit} noValidate>
        <Scanner
          label="Scan what is being returned"
          buttonLabel="Tick"
          message={scanMessage}
          onCode={onScan}
        />
        <fieldset>
          <legend>Items being returned</legend>
          {outstanding.map((item) => (
            <label key={item.id} className="checkbox">
              <input
                type="checkbox"
                checked={picked.includes(item.id)}
                onChange={(e) =>
                  setPicked((list) =>
                    e.target.checked ? [...list, item.id] : list.filter((id) => id !== item.id),
                  )
                }
              />
              {item.crate_number ?? `Crate ${item.crate}`}
              {item.document
                ? ` / ${item.document_number ?? item.document} ${item.document_title ?? ''}`
                : ' (whole crate)'}
            </label>
          ))}
          {localError ? (
            <div className="field__error" role="alert">
              {localError}
            </div>
          ) : null}
        </fieldset>
        <Field label="Condition notes">
          <textarea rows={3} value={notes} onChange={(e) => setNotes(e.target.value)} />
        </Field>
        <ErrorMessage error={create.error} />
        <div className="form-actions">
          <button type="submit" className="btn btn--primary" disabled={create.isPending}>
            Create send-back
          </button>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** A signature's hash, and on demand whether it still verifies (GET /api/signatures/{id}/verify/). */
function SignatureCheck({ id, hash }: { id: number; hash: string }) {
  const [result, setResult] = useState<SignatureVerification | null>(null);
  const [error, setError] = useState<unknown>(null);
  return (
    <span className="signature-check">
      <code className="hash" title={hash}>
        {hash.slice(0, 16)}…
      </code>{' '}
      <button
        type="button"
        className="btn"
        onClick={() =>
          void api.get<SignatureVerification>(`signatures/${id}/verify/`).then(setResult, setError)
        }
      >
        Verify
      </button>{' '}
      {result ? (
        <strong data-testid="signature-verified">
          {result.valid ? 'Valid' : `Invalid: ${result.reason}`}
        </strong>
      ) : null}
      {error ? <span>{errorText(error)}</span> : null}
    </span>
  );
}

type DestructionValue = Omit<DestructionRecord, 'password'>;
const EMPTY_DESTRUCTION: DestructionValue = {
  method: '',
  vendor: '',
  witness: null,
  witness_password: '',
};
const DESTRUCTION_METHODS: DestructionMethod[] = ['shredding', 'incineration', 'pulping', 'other'];

/** The certificate's record of a destruction: method, vendor, and a witness (not the
 * executor) who enters their own password here (docs/workflows.md). */
function DestructionFields({
  unit,
  executorId,
  open,
  value,
  onChange,
  error,
}: {
  unit: number;
  executorId: number;
  open: boolean;
  value: DestructionValue;
  onChange: (value: DestructionValue) => void;
  error: unknown;
}) {
  const candidates = useWitnessCandidates(unit, open);
  const witnesses = (candidates.data?.results ?? []).filter((person) => person.id !== executorId);
  const set = (patch: Partial<DestructionValue>) => onChange({ ...value, ...patch });
  return (
    <fieldset className="form" data-testid="destruction-fields">
      <legend>Certificate of destruction</legend>
      <Field label="Method" required error={fieldError(error, 'method')}>
        <select
          name="destruction-method"
          value={value.method}
          onChange={(e) => set({ method: e.target.value })}
        >
          <option value="">Choose…</option>
          {DESTRUCTION_METHODS.map((method) => (
            <option key={method} value={method}>
              {humanize(method)}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Vendor" required error={fieldError(error, 'vendor')}>
        <input
          name="destruction-vendor"
          value={value.vendor}
          maxLength={200}
          onChange={(e) => set({ vendor: e.target.value })}
        />
      </Field>
      <Field label="Witness" required error={fieldError(error, 'witness')}>
        <select
          name="destruction-witness"
          value={value.witness ?? ''}
          onChange={(e) => set({ witness: e.target.value ? Number(e.target.value) : null })}
        >
          <option value="">Choose…</option>
          {witnesses.map((person) => (
            <option key={person.id} value={person.id}>
              {person.full_name || person.username} ({person.username})
            </option>
          ))}
        </select>
      </Field>
      <Field
        label="Witness's password (entered by the witness)"
        required
        error={fieldError(error, 'witness_password')}
      >
        <input
          type="password"
          name="witness-password"
          autoComplete="off"
          value={value.witness_password}
          onChange={(e) => set({ witness_password: e.target.value })}
        />
      </Field>
    </fieldset>
  );
}

export function RequestDetailPage() {
  const id = Number(useParams().id);
  const user = useCurrentUser();
  const { notify } = useToast();
  const { data: request, error, isLoading } = useRequest(id);
  const action = useRequestAction(id);
  const [dialog, setDialog] = useState<DialogKind>(null);
  const [deleteError, setDeleteError] = useState<unknown>(null);
  const [destruction, setDestruction] = useState<DestructionValue>(EMPTY_DESTRUCTION);
  const navigate = useNavigate();
  useWatchEntity('request', id, notify, 'Request');
  // A withdrawal's send-backs belong in its timeline (they are how the items came back).
  const sendbacks = useSendbacks({ request: id, page_size: 100, ordering: 'created_at' });
  const previewMeaning =
    dialog === 'approve'
      ? 'approved'
      : dialog === 'reject'
        ? 'rejected'
        : dialog === 'destroy'
          ? 'destroyed'
          : '';
  // What the signature dialog shows as signed: the server's content (docs/domain.md).
  const preview = useSignatureContent(id, previewMeaning, previewMeaning !== '');

  if (isLoading) return <Loading />;
  if (error || !request) return <ErrorMessage error={error ?? new Error('Request not found')} />;

  // The moves this user may make now, as the API decides (docs/api.md); nothing is re-derived here.
  const actions = request.allowed_actions;
  const crates = Array.from(
    new Map(
      request.items.map((item) => [
        item.crate,
        { id: item.crate, number: item.crate_number ?? `Crate ${item.crate}` },
      ]),
    ).values(),
  );
  const run = (
    name: string,
    body?: Parameters<typeof action.mutateAsync>[0]['body'],
    done?: string,
  ) =>
    action.mutateAsync({ action: name, body }).then((result) => {
      if (done) notify(done, 'success');
      return result;
    });
  const simple = (name: string, done: string) => {
    action.reset();
    void run(name, {}, done).catch(() => undefined);
  };
  const executeKind: DialogKind =
    request.request_type === 'storage'
      ? 'execute'
      : request.request_type === 'destruction'
        ? 'destroy'
        : 'dispatch';

  const canSendBack = actions.includes('create_sendback');

  return (
    <>
      <PageHeader
        title={request.number}
        actions={
          <div className="action-bar" data-testid="request-actions">
            {actions.includes('edit') ? (
              <Link to={`/requests/${request.id}/edit`} className="btn">
                Edit
              </Link>
            ) : null}
            {actions.includes('submit') ? (
              <button
                type="button"
                className="btn btn--primary"
                onClick={() => simple('submit', 'Submitted for approval.')}
              >
                Submit
              </button>
            ) : null}
            {actions.includes('approve') ? (
              <button
                type="button"
                className="btn btn--primary"
                onClick={() => setDialog('approve')}
              >
                Approve
              </button>
            ) : null}
            {actions.includes('reject') ? (
              <button type="button" className="btn btn--danger" onClick={() => setDialog('reject')}>
                Reject
              </button>
            ) : null}
            {actions.includes('execute') ? (
              <button
                type="button"
                className="btn btn--primary"
                onClick={() => setDialog(executeKind)}
              >
                {request.request_type === 'storage'
                  ? 'Execute: store crates'
                  : request.request_type === 'destruction'
                    ? 'Execute: destroy'
                    : request.request_type === 'transfer'
                      ? 'Execute: dispatch'
                      : 'Execute: issue'}
              </button>
            ) : null}
            {actions.includes('receive') ? (
              <button
                type="button"
                className="btn btn--primary"
                onClick={() => setDialog('receive')}
              >
                Receive transfer
              </button>
            ) : null}
            {canSendBack ? (
              <button type="button" className="btn" onClick={() => setDialog('sendback')}>
                Send back
              </button>
            ) : null}
            {actions.includes('cancel') ? (
              <button
                type="button"
                className="btn btn--ghost"
                onClick={() => {
                  if (window.confirm(`Cancel request ${request.number}?`))
                    simple('cancel', 'Request cancelled.');
                }}
              >
                Cancel request
              </button>
            ) : null}
            {actions.includes('delete') ? (
              <button
                type="button"
                className="btn btn--ghost btn--danger-text"
                onClick={() => {
                  if (!window.confirm(`Delete draft ${request.number}?`)) return;
                  setDeleteError(null);
                  api
                    .delete(`requests/${request.id}/`)
                    .then(() => {
                      notify(`Draft ${request.number} deleted.`, 'success');
                      navigate('/requests?view=mine');
                    })
                    .catch(setDeleteError);
                }}
              >
                Delete draft
              </button>
            ) : null}
            {request.request_type === 'destruction' && request.status === 'completed' ? (
              <button
                type="button"
                className="btn"
                onClick={() =>
                  void downloadCertificate(request).catch((e) => notify(errorText(e), 'error'))
                }
              >
                Certificate of destruction
              </button>
            ) : null}
          </div>
        }
      />
      {dialog === null ? <ErrorMessage error={action.error} /> : null}
      <ErrorMessage error={deleteError} />
      {actions.includes('execute') ? <PickListPanel request={request} /> : null}
      <div className="grid-2">
        <Card title="Request">
          <DefinitionList
            items={[
              [
                'Status',
                <span key="s" data-testid="request-status">
                  <StatusBadge status={request.status} />
                  {request.is_overdue ? (
                    <span className="badge badge--overdue">Overdue</span>
                  ) : null}
                </span>,
              ],
              ['Type', humanize(request.request_type)],
              ['Unit', request.unit_code ?? request.unit],
              ...(request.request_type === 'transfer'
                ? ([['Transfer to', request.target_unit_code ?? request.target_unit]] as [
                    string,
                    ReactNode,
                  ][])
                : []),
              ...(request.request_type === 'withdrawal'
                ? ([['Expected return', formatDate(request.expected_return_date)]] as [
                    string,
                    ReactNode,
                  ][])
                : []),
              ['Requester', request.requester_name ?? request.requester],
              ['Purpose', request.purpose],
              [
                'Decision',
                request.decided_at
                  ? `${request.decided_by_name ?? ''} · ${formatDateTime(request.decided_at)}`
                  : '—',
              ],
              ['Decision comment', request.decision_comment || '—'],
              [
                'Executed',
                request.executed_at
                  ? `${request.executed_by_name ?? ''} · ${formatDateTime(request.executed_at)}`
                  : '—',
              ],
              ...(request.request_type === 'transfer'
                ? ([
                    [
                      'Received',
                      <span key="r" data-testid="request-received">
                        {request.received_at
                          ? `${request.received_by_name ?? ''} · ${formatDateTime(request.received_at)}`
                          : 'Not yet'}
                      </span>,
                    ],
                  ] as [string, ReactNode][])
                : []),
              ...(request.certificate_sha256
                ? ([
                    [
                      'Destruction',
                      `${humanize(request.destruction_method)} by ${request.destruction_vendor}, witnessed by ${request.destruction_witness_name ?? '—'}`,
                    ],
                    [
                      'Certificate SHA-256',
                      <code key="sha" data-testid="certificate-sha256" className="hash">
                        {request.certificate_sha256}
                      </code>,
                    ],
                  ] as [string, ReactNode][])
                : []),
            ]}
          />
        </Card>
        <Card title="Timeline">
          <RequestTimeline request={request} sendbacks={sendbacks.data?.results ?? []} />
        </Card>
      </div>
      <Card title="Electronic signatures">
        {(request.signatures ?? []).length === 0 ? (
          <p className="muted">No signatures yet.</p>
        ) : (
          <div className="table-wrap" {...SCROLLABLE}>
            <table className="table" data-testid="signatures-table">
              <thead>
                <tr>
                  <th scope="col">Meaning</th>
                  <th scope="col">Signed by</th>
                  <th scope="col">Date and time</th>
                  <th scope="col">Comment</th>
                  <th scope="col">Signed content SHA-256</th>
                </tr>
              </thead>
              <tbody>
                {(request.signatures ?? []).map((signature) => (
                  <tr key={signature.id}>
                    <td>{humanize(signature.meaning)}</td>
                    <td>{signature.full_name}</td>
                    <td>{formatDateTime(signature.signed_at)}</td>
                    <td>{signature.comment || '—'}</td>
                    <td>
                      <SignatureCheck id={signature.id} hash={signature.content_hash} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      <Card title={`Items (${request.items.length})`}>
        <div className="table-wrap" {...SCROLLABLE}>
          <table className="table" data-testid="items-table">
            <thead>
              <tr>
                <th scope="col">Crate</th>
                <th scope="col">Document</th>
                <th scope="col">Taken from</th>
                <th scope="col">Now at</th>
                {request.request_type === 'withdrawal' ? <th scope="col">Returned</th> : null}
              </tr>
            </thead>
            <tbody>
              {request.items.map((item) => (
                <tr key={item.id}>
                  <td>
                    <Link to={`/crates/${item.crate}`}>{item.crate_number ?? item.crate}</Link>
                  </td>
                  <td>
                    {item.document
                      ? `${item.document_number ?? item.document} ${item.document_title ?? ''}`
                      : 'Whole crate'}
                  </td>
                  <td>{placeLabel(item.source_unit_code, item.source_location_path)}</td>
                  <td data-testid="item-location">
                    {placeLabel(item.location_unit_code, item.location_path)}
                  </td>
                  {request.request_type === 'withdrawal' ? (
                    <td>{item.returned_at ? formatDateTime(item.returned_at) : 'No'}</td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Card>
      <ReturnExtensions request={request} />
      <RequestContextCard requestId={request.id} />

      <SignatureDialog
        open={dialog === 'approve'}
        title={`Approve ${request.number}`}
        meaning="approved"
        signerName={user.full_name || user.username}
        recordLabel={`${humanize(request.request_type)} request ${request.number}`}
        confirmLabel="Sign and approve"
        content={dialog === 'approve' ? preview.data?.content : null}
        onClose={() => setDialog(null)}
        onSign={(input) => run('approve', input, `${request.number} approved.`)}
      />
      <SignatureDialog
        open={dialog === 'reject'}
        title={`Reject ${request.number}`}
        meaning="rejected"
        signerName={user.full_name || user.username}
        recordLabel={`${humanize(request.request_type)} request ${request.number}`}
        commentRequired
        confirmLabel="Sign and reject"
        content={dialog === 'reject' ? preview.data?.content : null}
        onClose={() => setDialog(null)}
        onSign={(input) => run('reject', input, `${request.number} rejected.`)}
      />
      <SignatureDialog
        open={dialog === 'destroy'}
        title={`Destroy crates of ${request.number}`}
        meaning="destroyed"
        signerName={user.full_name || user.username}
        recordLabel={`destruction of ${crates.map((c) => c.number).join(', ')}`}
        showComment={false}
        confirmLabel="Sign and record destruction"
        content={
          dialog === 'destroy' && preview.data
            ? {
                ...preview.data.content,
                method: destruction.method,
                vendor: destruction.vendor.trim(),
              }
            : null
        }
        handledFields={['method', 'vendor', 'witness', 'witness_password']}
        onClose={() => {
          setDialog(null);
          setDestruction(EMPTY_DESTRUCTION);
        }}
        onSign={({ password }) =>
          run('execute', { ...destruction, password }, 'Destruction recorded.')
        }
      >
        <DestructionFields
          unit={request.unit}
          executorId={user.id}
          open={dialog === 'destroy'}
          value={destruction}
          onChange={setDestruction}
          error={action.error}
        />
      </SignatureDialog>
      <AllocationDialog
        open={dialog === 'execute'}
        title={`Store crates of ${request.number}`}
        crates={crates}
        unit={request.unit}
        confirmLabel="Store crates"
        onClose={() => setDialog(null)}
        onConfirm={(allocations) => run('execute', { allocations }, 'Crates stored.')}
      />
      <AllocationDialog
        open={dialog === 'receive'}
        title={`Receive transfer ${request.number}`}
        crates={crates}
        unit={request.target_unit ?? undefined}
        confirmLabel="Receive crates"
        onClose={() => setDialog(null)}
        onConfirm={(allocations) => run('receive', { allocations }, 'Transfer received.')}
      />
      <Dialog
        open={dialog === 'dispatch'}
        onClose={() => setDialog(null)}
        title={
          request.request_type === 'transfer'
            ? `Dispatch ${request.number}`
            : `Issue ${request.number}`
        }
        footer={
          <>
            <button
              type="button"
              className="btn btn--primary"
              disabled={action.isPending}
              onClick={() =>
                void run(
                  'execute',
                  {},
                  request.request_type === 'transfer' ? 'Crates dispatched.' : 'Items issued.',
                )
                  .then(() => setDialog(null))
                  .catch(() => undefined)
              }
            >
              Confirm
            </button>
            <button type="button" className="btn" onClick={() => setDialog(null)}>
              Cancel
            </button>
          </>
        }
      >
        <p>
          {request.request_type === 'transfer'
            ? `The crates leave their locations and travel to ${request.target_unit_code ?? 'the target unit'}.`
            : `The items are handed over to ${request.requester_name ?? 'the requester'}, due back ${formatDate(request.expected_return_date)}.`}
        </p>
        <ErrorMessage error={action.error} />
      </Dialog>
      <SendBackDialog
        request={request}
        open={dialog === 'sendback'}
        onClose={() => setDialog(null)}
      />
    </>
  );
}

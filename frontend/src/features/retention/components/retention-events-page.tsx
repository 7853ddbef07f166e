import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { ListStatus } from '@/components/list/list-status';
import { ListTable } from '@/components/list/list-table';
import { ErrorMessage, fieldError } from '@/components/ui/error-message';
import { Field } from '@/components/ui/field';
import { Card, Empty, PageHeader, StatusBadge } from '@/components/ui/misc';
import { Pagination } from '@/components/ui/pagination';
import { SearchInput } from '@/components/ui/search-input';
import { useDocumentTypes } from '@/features/admin/api/master-data';
import { documentsQuery } from '@/features/documents/api/documents';
import { formatDate, humanize, todayIso } from '@/lib/format';
import type { RetentionEventResult } from '@/lib/types';
import { useRecordRetentionEvent } from '../api/retention';

const PAGE_SIZE = 25;

const counted = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

/** The checks the server makes too, said before sending (the server's word stays final). */
export function eventDateProblem(eventDate: string, today: string = todayIso()): string | null {
  if (!eventDate) return 'Enter the date of the event.';
  if (eventDate > today) return 'The event date cannot be in the future.';
  return null;
}

/**
 * Record a retention event (a batch's expiry, a study's closure) for many documents of an
 * event-triggered type at once (SPEC §12): their retention runs from the event's date.
 */
export function RetentionEventsPage() {
  const types = useDocumentTypes({ page_size: 100, ordering: 'code', is_active: 'true' });
  const eventTypes = (types.data?.results ?? []).filter((t) => t.retention_trigger === 'event');
  const [typeId, setTypeId] = useState('');
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(1);
  const [selected, setSelected] = useState<Map<number, string>>(new Map());
  const [eventDate, setEventDate] = useState('');
  const [reason, setReason] = useState('');
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [result, setResult] = useState<RetentionEventResult | null>(null);
  const record = useRecordRetentionEvent();
  const type = eventTypes.find((t) => String(t.id) === typeId);
  const documents = useQuery({
    ...documentsQuery({
      document_type: type?.id,
      search: search || undefined,
      page,
      page_size: PAGE_SIZE,
      ordering: 'number',
    }),
    enabled: type !== undefined,
  });

  const chooseType = (value: string) => {
    setTypeId(value);
    setSelected(new Map());
    setPage(1);
    setResult(null);
    record.reset();
  };
  const toggle = (id: number, number: string) =>
    setSelected((current) => {
      const next = new Map(current);
      if (next.has(id)) next.delete(id);
      else next.set(id, number);
      return next;
    });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!type) return;
    const found: Record<string, string> = {};
    const dateProblem = eventDateProblem(eventDate);
    if (dateProblem) found.event_date = dateProblem;
    if (!selected.size) found.documents = 'Choose at least one document.';
    if (!reason.trim()) found.reason = 'Give the reason for this change.';
    setProblems(found);
    if (Object.keys(found).length) return;
    record.mutate(
      {
        document_type: type.id,
        event_date: eventDate,
        documents: [...selected.keys()],
        reason: reason.trim(),
      },
      {
        onSuccess: (answer) => {
          setResult(answer);
          setSelected(new Map());
          setReason('');
        },
      },
    );
  };
  const problem = (name: string) => problems[name] ?? fieldError(record.error, name);
  const rows = type ? (documents.data?.results ?? []) : [];

  return (
    <>
      <PageHeader title="Retention events" />
      <p className="muted">
        A document of an event-triggered type is kept for its years from an event recorded here.
        Until then it has no retention date and never becomes due for destruction.
      </p>
      <form onSubmit={submit} noValidate className="form" data-testid="retention-event">
        <Card title="1. Event">
          <Field label="Document type" required error={fieldError(record.error, 'document_type')}>
            <select
              name="document_type"
              value={typeId}
              onChange={(e) => chooseType(e.target.value)}
            >
              <option value="">Choose a type kept from an event</option>
              {eventTypes.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.code} — {t.name} ({t.event_name})
                </option>
              ))}
            </select>
          </Field>
          {types.data && eventTypes.length === 0 ? (
            <Empty>
              No document type is kept from an event. A System Administrator sets that under{' '}
              <Link to="/schedules">Retention schedules</Link>.
            </Empty>
          ) : null}
          {type ? (
            <>
              <Field
                label={`Date of the ${type.event_name}`}
                required
                error={problem('event_date')}
              >
                <input
                  type="date"
                  name="event_date"
                  max={todayIso()}
                  value={eventDate}
                  onChange={(e) => setEventDate(e.target.value)}
                />
              </Field>
              <Field label="Reason" required error={problem('reason')}>
                <textarea
                  name="reason"
                  rows={2}
                  value={reason}
                  onChange={(e) => setReason(e.target.value)}
                />
              </Field>
            </>
          ) : null}
        </Card>
        {type ? (
          <Card title={`2. Documents of ${type.code} (${selected.size} chosen)`}>
            <label>
              Search documents{' '}
              <SearchInput
                type="search"
                name="document-search"
                value={search}
                placeholder="Number, title or crate"
                onSearch={(value) => {
                  setSearch(value);
                  setPage(1);
                }}
              />
            </label>
            {problem('documents') ? (
              <div className="field__error" role="alert" data-testid="documents-error">
                {problems.documents ?? fieldError(record.error, 'documents')}
              </div>
            ) : null}
            <ListStatus
              error={documents.error}
              isLoading={documents.isLoading}
              rows={documents.data?.results.length}
              empty="No documents found."
            />
            <ListTable
              rows={rows}
              testId="event-documents"
              columns={[
                'Choose',
                'Document',
                'Crate',
                'Status',
                'Record date',
                `${humanize(type.event_name)} recorded`,
                'Kept until',
              ]}
            >
              {(document) => (
                <tr key={document.id}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Choose ${document.number}`}
                      checked={selected.has(document.id)}
                      onChange={() => toggle(document.id, document.number)}
                    />
                  </td>
                  <td>
                    {document.number} — {document.title}
                  </td>
                  <td>
                    <Link to={`/crates/${document.crate}`}>{document.crate_number}</Link>
                  </td>
                  <td>
                    <StatusBadge status={document.status} />
                  </td>
                  <td>{formatDate(document.record_date)}</td>
                  <td>{formatDate(document.trigger_date)}</td>
                  <td>
                    {document.retention_until
                      ? formatDate(document.retention_until)
                      : 'waits for the event'}
                  </td>
                </tr>
              )}
            </ListTable>
            {documents.data ? (
              <Pagination
                page={page}
                pageSize={PAGE_SIZE}
                count={documents.data.count}
                onPage={setPage}
              />
            ) : null}
            {selected.size ? (
              <p data-testid="chosen-documents">Chosen: {[...selected.values()].join(', ')}</p>
            ) : null}
          </Card>
        ) : null}
        <ErrorMessage
          error={record.error}
          handledFields={['document_type', 'event_date', 'documents', 'reason']}
        />
        {result ? (
          <p className="alert alert--success" role="status" data-testid="event-result">
            Recorded for {counted(result.documents, 'document')} in{' '}
            {counted(result.crates, 'crate')}; their retention now runs from the event.
          </p>
        ) : null}
        {type ? (
          <div className="form-actions">
            <button type="submit" className="btn btn--primary" disabled={record.isPending}>
              Record the {type.event_name}
            </button>
          </div>
        ) : null}
      </form>
    </>
  );
}

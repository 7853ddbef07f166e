import { useQuery } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router-dom';
import { Dialog } from '@/components/ui/dialog';
import { ErrorMessage, fieldError } from '@/components/ui/error-message';
import { Field } from '@/components/ui/field';
import { Card, Loading, PageHeader } from '@/components/ui/misc';
import { useCurrentUser } from '@/contexts/AuthContext';
import { SignatureDialog } from '@/features/requests/components/signature-dialog';
import { api } from '@/lib/api-client';
import { queryKeys } from '@/lib/react-query';
import type {
  DocumentType,
  RetentionRecompute,
  RetentionTrigger,
  SchedulePreview,
} from '@/lib/types';
import {
  useChangeSchedule,
  useRecompute,
  useSchedulePreview,
  type ScheduleChange,
} from '../api/retention';
import { RecomputeProgress, useRecomputeProgress } from './recompute-progress';
import { changesText, scheduleText } from './schedules-page';

interface ReasonDialogProps {
  open: boolean;
  preview: SchedulePreview | null;
  /** What changes, in words. */
  changeText: string;
  code: string;
  busy: boolean;
  error: unknown;
  onClose: () => void;
  onReason: (reason: string) => void;
}

/** Annex 11 §9: a schedule change states its reason; the dialog says what the change does. */
export function ScheduleReasonDialog({
  open,
  preview,
  changeText,
  code,
  busy,
  error,
  onClose,
  onReason,
}: ReasonDialogProps) {
  const [reason, setReason] = useState('');
  const [missing, setMissing] = useState(false);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setMissing(!reason.trim());
    if (reason.trim()) onReason(reason.trim());
  };
  return (
    <Dialog open={open} onClose={onClose} title={`Reason for changing ${code}`}>
      <form onSubmit={submit} noValidate className="form" data-testid="schedule-reason">
        {preview ? (
          <div data-testid="schedule-summary">
            <p>
              <strong>{changeText}</strong>
            </p>
            <p>
              {preview.documents.toLocaleString()} documents of {code} and their crates get their
              retention recomputed in the background.
            </p>
            {preview.signature_required ? (
              <p className="alert alert--info">
                This makes retention shorter: records may become due for destruction sooner. You
                sign the change with your password next.
              </p>
            ) : null}
          </div>
        ) : null}
        <Field
          label="Reason for the change"
          required
          error={missing ? 'Give the reason for this change.' : fieldError(error, 'reason')}
        >
          <textarea
            name="reason"
            rows={3}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
          />
        </Field>
        <ErrorMessage error={error} handledFields={['reason', 'password']} />
        <div className="form-actions">
          <button type="submit" className="btn btn--primary" disabled={busy}>
            {preview?.signature_required ? 'Continue to signature' : 'Save the change'}
          </button>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function useDocumentType(id: number) {
  return useQuery({
    queryKey: [...queryKeys.documentTypes, id],
    queryFn: ({ signal }) => api.get<DocumentType>(`document-types/${id}/`, undefined, signal),
  });
}

function ChangeForm({ type }: { type: DocumentType }) {
  const user = useCurrentUser();
  const [years, setYears] = useState(String(type.retention_years));
  const [trigger, setTrigger] = useState<RetentionTrigger>(type.retention_trigger);
  const [eventName, setEventName] = useState(type.event_name ?? '');
  const [step, setStep] = useState<'form' | 'reason' | 'signature'>('form');
  const [reason, setReason] = useState('');
  const [recompute, setRecompute] = useState<RetentionRecompute | null>(null);
  const preview = useSchedulePreview(type.id);
  const change = useChangeSchedule(type.id);
  const live = useRecomputeProgress();
  const { data: current, refetch } = useRecompute(recompute);
  const liveStatus = current ? live[current.id]?.status : undefined;
  const readStatus = current?.status;
  useEffect(() => {
    // The socket may say it ended before this page read it (a small type recomputes at once).
    const ended = liveStatus === 'done' || liveStatus === 'failed';
    if (ended && (readStatus === 'pending' || readStatus === 'running')) void refetch();
  }, [liveStatus, readStatus, refetch]);

  const proposed = (): ScheduleChange => ({
    retention_years: Number(years),
    retention_trigger: trigger,
    event_name: trigger === 'event' ? eventName : type.event_name,
    reason,
  });
  const eventRenamed = trigger === 'event' && eventName.trim() !== (type.event_name ?? '');
  const isChange = (plan: SchedulePreview) => Object.keys(plan.changes).length > 0 || eventRenamed;
  const changeText = (plan: SchedulePreview) =>
    [
      changesText(plan.changes as Record<string, unknown[]>),
      eventRenamed ? `event “${type.event_name}” → “${eventName.trim()}”` : '',
    ]
      .filter(Boolean)
      .join('; ');
  const [yearsMissing, setYearsMissing] = useState(false);
  const review = (event: FormEvent) => {
    event.preventDefault();
    setYearsMissing(years.trim() === '');
    if (years.trim() === '') return;
    setRecompute(null);
    change.reset();
    preview.mutate(
      { ...proposed(), reason: '' },
      { onSuccess: (plan) => setStep(isChange(plan) ? 'reason' : 'form') },
    );
  };
  const save = async (body: ScheduleChange & { password?: string }) => {
    const changed = await change.mutateAsync(body);
    setRecompute(changed.recompute);
    setStep('form');
  };
  const withReason = (given: string) => {
    setReason(given);
    if (preview.data?.signature_required) {
      // The signature dialog shows exactly what is signed, its comment being the reason.
      preview.mutate({ ...proposed(), reason: given }, { onSuccess: () => setStep('signature') });
    } else {
      save({ ...proposed(), reason: given }).catch(() => undefined);
    }
  };
  const unchanged = preview.isSuccess && !isChange(preview.data);
  const formError = step === 'form' ? (preview.error ?? change.error) : null;
  return (
    <>
      <Card title={`Now: ${scheduleText(type)}`}>
        <form onSubmit={review} noValidate className="form" data-testid="schedule-form">
          <Field
            label="Kept for (years)"
            required
            error={
              yearsMissing ? 'Enter the number of years.' : fieldError(formError, 'retention_years')
            }
          >
            <input
              type="number"
              name="retention_years"
              min={0}
              value={years}
              onChange={(e) => setYears(e.target.value)}
            />
          </Field>
          <Field label="Kept from" required error={fieldError(formError, 'retention_trigger')}>
            <select
              name="retention_trigger"
              value={trigger}
              onChange={(e) => setTrigger(e.target.value as RetentionTrigger)}
            >
              <option value="record_date">The record date</option>
              <option value="event">An event recorded later</option>
            </select>
          </Field>
          {trigger === 'event' ? (
            <Field
              label="Event"
              required
              hint="What starts the retention, e.g. batch expiry or study closure."
              error={fieldError(formError, 'event_name')}
            >
              <input
                name="event_name"
                value={eventName}
                onChange={(e) => setEventName(e.target.value)}
              />
            </Field>
          ) : null}
          <ErrorMessage
            error={formError}
            handledFields={['retention_years', 'retention_trigger', 'event_name']}
          />
          {unchanged && !recompute ? (
            <p className="muted" role="status">
              Nothing to change: the schedule is already this.
            </p>
          ) : null}
          <div className="form-actions">
            <button type="submit" className="btn btn--primary" disabled={preview.isPending}>
              Change schedule…
            </button>
            <Link to="/schedules" className="btn">
              Back to schedules
            </Link>
          </div>
        </form>
      </Card>
      {current ? (
        <Card title="Recompute">
          <p role="status">
            Schedule of {type.code} changed. Its documents and crates are recomputed in the
            background; you can leave this page.
          </p>
          <RecomputeProgress recompute={current} live={live[current.id]} />
        </Card>
      ) : null}
      <ScheduleReasonDialog
        open={step === 'reason'}
        preview={preview.data ?? null}
        changeText={preview.data ? changeText(preview.data) : ''}
        code={type.code}
        busy={preview.isPending || change.isPending}
        error={step === 'reason' ? (change.error ?? preview.error) : null}
        onClose={() => setStep('form')}
        onReason={withReason}
      />
      <SignatureDialog
        open={step === 'signature'}
        title={`Sign the shorter schedule of ${type.code}`}
        meaning="retention_changed"
        signerName={user.full_name || user.username}
        recordLabel={`the retention schedule of ${type.code} — ${type.name}`}
        showComment={false}
        content={preview.data?.content ?? null}
        confirmLabel="Sign and change"
        onClose={() => setStep('form')}
        onSign={({ password }) => save({ ...proposed(), reason, password })}
      />
    </>
  );
}

/** A System Administrator changes one document type's schedule (SPEC §12). */
export function ScheduleChangePage() {
  const id = Number(useParams().id);
  const { data: type, error, isLoading } = useDocumentType(id);
  if (isLoading) return <Loading />;
  if (!type) return <ErrorMessage error={error} />;
  return (
    <>
      <PageHeader title={`Retention schedule of ${type.code} — ${type.name}`} />
      <ChangeForm key={type.id} type={type} />
    </>
  );
}

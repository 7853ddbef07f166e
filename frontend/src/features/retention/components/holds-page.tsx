import { useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { FilterBar, SelectFilter, type FilterOption } from '@/components/list/filter-bar';
import { ListPager } from '@/components/list/list-pager';
import { ListStatus } from '@/components/list/list-status';
import { ListTable } from '@/components/list/list-table';
import { fieldError } from '@/components/ui/error-message';
import { Field } from '@/components/ui/field';
import { PageHeader, StatusBadge } from '@/components/ui/misc';
import { useCurrentUser } from '@/contexts/AuthContext';
import { useDepartments, useDocumentTypes } from '@/features/admin/api/master-data';
import {
  SignatureDialog,
  type SignatureInput,
} from '@/features/requests/components/signature-dialog';
import { can } from '@/lib/capabilities';
import { formatDate, formatDateTime } from '@/lib/format';
import { useListParams } from '@/lib/use-list-params';
import type { LegalHold } from '@/lib/types';
import { useHoldPlaceContent, useHolds, usePlaceHold } from '../api/retention';

const PAGE_SIZE = 50;

export function holdScope(hold: LegalHold): string {
  const parts: string[] = [];
  if (hold.crate_numbers.length) parts.push(`crates ${hold.crate_numbers.join(', ')}`);
  if (hold.by_filter) {
    const filters = [
      hold.unit_code ? `unit ${hold.unit_code}` : 'every unit',
      hold.department_code ? `department ${hold.department_code}` : '',
      hold.document_type_code ? `type ${hold.document_type_code}` : '',
      hold.record_date_from ? `recorded from ${formatDate(hold.record_date_from)}` : '',
      hold.record_date_to ? `recorded until ${formatDate(hold.record_date_to)}` : '',
    ].filter(Boolean);
    parts.push(filters.join(', '));
  }
  return parts.join('; ');
}

/** Place a filter-scoped hold: the shared signature dialog (meaning `hold_placed`) with the
 * hold's title, reason and scope; field errors show next to their fields. */
export function PlaceHoldDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const user = useCurrentUser();
  const navigate = useNavigate();
  const departments = useDepartments();
  const types = useDocumentTypes();
  const mutation = usePlaceHold();
  const empty = {
    title: '',
    reason: '',
    department: '',
    document_type: '',
    record_date_from: '',
    record_date_to: '',
  };
  const [form, setForm] = useState(empty);
  useEffect(() => {
    if (!open) {
      setForm(empty);
      mutation.reset();
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open]);
  const set = (name: keyof typeof form) => (value: string) =>
    setForm((current) => ({ ...current, [name]: value }));
  const hold = {
    title: form.title,
    reason: form.reason,
    department: form.department ? Number(form.department) : null,
    document_type: form.document_type ? Number(form.document_type) : null,
    record_date_from: form.record_date_from || null,
    record_date_to: form.record_date_to || null,
  };
  // What is signed, asked once typing pauses and shown only while it is the form's.
  const [asked, setAsked] = useState<typeof hold | null>(null);
  const key = JSON.stringify(hold);
  const complete =
    open &&
    hold.title.trim() !== '' &&
    hold.reason.trim() !== '' &&
    (hold.department !== null ||
      hold.document_type !== null ||
      hold.record_date_from !== null ||
      hold.record_date_to !== null);
  useEffect(() => {
    const timer = window.setTimeout(
      () => setAsked(complete ? (JSON.parse(key) as typeof hold) : null),
      400,
    );
    return () => window.clearTimeout(timer);
  }, [key, complete]);
  const preview = useHoldPlaceContent(asked);
  const content = asked && JSON.stringify(asked) === key ? (preview.data?.content ?? null) : null;
  const place = async ({ password }: SignatureInput) => {
    const placed = await mutation.mutateAsync({ ...hold, password });
    navigate(`/holds/${placed.id}`);
  };
  const fields = [
    'title',
    'reason',
    'scope',
    'department',
    'document_type',
    'record_date_from',
    'record_date_to',
  ];
  return (
    <SignatureDialog
      open={open}
      title="Place a legal hold"
      meaning="hold_placed"
      signerName={user.full_name || user.username}
      recordLabel={form.title.trim() ? `the legal hold “${form.title.trim()}”` : 'a new legal hold'}
      showComment={false}
      content={content}
      confirmLabel="Sign and place hold"
      handledFields={fields}
      onClose={onClose}
      onSign={place}
    >
      <div data-testid="place-hold">
        <Field label="Title" required error={fieldError(mutation.error, 'title')}>
          <input name="title" value={form.title} onChange={(e) => set('title')(e.target.value)} />
        </Field>
        <Field label="Reason" required error={fieldError(mutation.error, 'reason')}>
          <textarea
            name="reason"
            rows={2}
            value={form.reason}
            onChange={(e) => set('reason')(e.target.value)}
          />
        </Field>
        <p className="muted">
          Scope: every crate of your unit matching all the filters below, now and later. To hold
          single crates, use Place legal hold on the crate.
        </p>
        {fieldError(mutation.error, 'scope') ? (
          <div className="field__error" role="alert">
            {fieldError(mutation.error, 'scope')}
          </div>
        ) : null}
        <Field label="Department" error={fieldError(mutation.error, 'department')}>
          <select value={form.department} onChange={(e) => set('department')(e.target.value)}>
            <option value="">Any</option>
            {departments.data?.results.map((d) => (
              <option key={d.id} value={d.id}>
                {d.code} — {d.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Document type" error={fieldError(mutation.error, 'document_type')}>
          <select value={form.document_type} onChange={(e) => set('document_type')(e.target.value)}>
            <option value="">Any</option>
            {types.data?.results.map((t) => (
              <option key={t.id} value={t.id}>
                {t.code} — {t.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Recorded from" error={fieldError(mutation.error, 'record_date_from')}>
          <input
            type="date"
            value={form.record_date_from}
            onChange={(e) => set('record_date_from')(e.target.value)}
          />
        </Field>
        <Field label="Recorded until" error={fieldError(mutation.error, 'record_date_to')}>
          <input
            type="date"
            value={form.record_date_to}
            onChange={(e) => set('record_date_to')(e.target.value)}
          />
        </Field>
      </div>
    </SignatureDialog>
  );
}

const HOLD_STATUSES: FilterOption[] = [
  { value: 'active', label: 'Active' },
  { value: 'released', label: 'Released' },
];

export function HoldsPage() {
  const user = useCurrentUser();
  const list = useListParams({ status: 'active' });
  const { data, error, isLoading } = useHolds({
    ...list.pick(['status']),
    page: list.page,
    page_size: PAGE_SIZE,
  });
  const [placing, setPlacing] = useState(false);
  return (
    <>
      <PageHeader
        title="Legal holds"
        actions={
          can(user, 'set_legal_hold') ? (
            <button type="button" className="btn btn--primary" onClick={() => setPlacing(true)}>
              Place a legal hold
            </button>
          ) : null
        }
      />
      <FilterBar list={list}>
        <SelectFilter name="status" label="Status" options={HOLD_STATUSES} anyLabel="All" />
      </FilterBar>
      <ListStatus
        error={error}
        isLoading={isLoading}
        rows={data?.results.length}
        empty="No legal holds."
      />
      <ListTable
        rows={data?.results}
        testId="holds"
        columns={['Number', 'Title', 'Scope', 'Status', 'Placed']}
      >
        {(hold) => (
          <tr key={hold.id}>
            <td>
              <Link to={`/holds/${hold.id}`}>{hold.number}</Link>
            </td>
            <td>{hold.title}</td>
            <td>{holdScope(hold)}</td>
            <td>
              <StatusBadge status={hold.status} />
            </td>
            <td>
              {formatDateTime(hold.placed_at)} by {hold.placed_by_name}
            </td>
          </tr>
        )}
      </ListTable>
      <ListPager list={list} pageSize={PAGE_SIZE} data={data} />
      <PlaceHoldDialog open={placing} onClose={() => setPlacing(false)} />
    </>
  );
}

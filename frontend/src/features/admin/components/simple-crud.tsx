import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useListParams } from '@/lib/use-list-params';
import { FilterBar, SearchFilter } from '@/components/list/filter-bar';
import { ListPager } from '@/components/list/list-pager';
import { ListStatus } from '@/components/list/list-status';
import { ListTable } from '@/components/list/list-table';
import { Dialog } from '@/components/ui/dialog';
import { ErrorMessage, fieldError } from '@/components/ui/error-message';
import { Field } from '@/components/ui/field';
import { missingReason, ReasonField } from '@/components/ui/reason-field';
import { api } from '@/lib/api-client';
import type { Page } from '@/lib/types';
import { useSave } from '../api/master-data';

const PAGE_SIZE = 25;

export interface CrudField {
  name: string;
  label: string;
  type?: 'text' | 'number' | 'checkbox' | 'select' | 'textarea';
  options?: { value: string | number; label: string }[];
  required?: boolean;
  /** Shown in the table. */
  column?: boolean;
  render?: (row: Record<string, unknown>) => string;
}

interface SimpleCrudProps {
  title: string;
  root: readonly string[];
  path: string;
  fields: CrudField[];
  canEdit: boolean;
  extraParams?: Record<string, string | number | undefined>;
  /** Sent with every new row (a Unit Admin's departments belong to their unit). */
  createDefaults?: Record<string, unknown>;
  /**
   * Edits of this table may need a reason for change (docs/audit.md): given the row before
   * and the form's values, whether this edit does. Absent: no reason field.
   */
  reasonRequired?: (before: Record<string, unknown>, after: Record<string, unknown>) => boolean;
}

/** List + create/edit dialog for the small master-data tables (units, departments, types). */
export function SimpleCrud({
  title,
  root,
  path,
  fields,
  canEdit,
  extraParams,
  createDefaults,
  reasonRequired,
}: SimpleCrudProps) {
  // Search and page live in the URL (a filtered list can be bookmarked and shared).
  const list = useListParams();
  const params = {
    ...list.pick(['search']),
    page: list.page,
    page_size: PAGE_SIZE,
    ...extraParams,
  };
  const { data, error, isLoading } = useQuery({
    queryKey: [...root, 'list', params],
    queryFn: ({ signal }) => api.get<Page<Record<string, unknown>>>(path, params, signal),
  });
  const [editing, setEditing] = useState<Record<string, unknown> | null>(null);
  const columns = fields.filter((f) => f.column !== false);

  return (
    <section aria-label={title}>
      <FilterBar list={list}>
        <SearchFilter />
        <span className="topbar__spacer" />
        {canEdit ? (
          <button type="button" className="btn btn--primary" onClick={() => setEditing({})}>
            New {title.toLowerCase().replace(/s$/, '')}
          </button>
        ) : null}
      </FilterBar>
      <ListStatus
        error={error}
        isLoading={isLoading}
        rows={data?.results.length}
        empty="Nothing here yet."
      />
      <ListTable
        rows={data?.results}
        columns={[
          ...columns.map((f) => f.label),
          ...(canEdit ? [{ label: 'Actions', hidden: true }] : []),
        ]}
      >
        {(row) => (
          <tr key={String(row.id)}>
            {columns.map((f) => (
              <td key={f.name}>
                {f.render
                  ? f.render(row)
                  : f.type === 'checkbox'
                    ? row[f.name]
                      ? 'Yes'
                      : 'No'
                    : String(row[f.name] ?? '—')}
              </td>
            ))}
            {canEdit ? (
              <td>
                <button type="button" className="btn btn--ghost" onClick={() => setEditing(row)}>
                  Edit
                </button>
              </td>
            ) : null}
          </tr>
        )}
      </ListTable>
      <ListPager list={list} pageSize={PAGE_SIZE} data={data} />
      {editing ? (
        <CrudDialog
          createDefaults={createDefaults}
          reasonRequired={reasonRequired}
          title={title}
          root={root}
          path={path}
          fields={fields}
          row={editing}
          onClose={() => setEditing(null)}
        />
      ) : null}
    </section>
  );
}

function CrudDialog({
  title,
  root,
  path,
  fields,
  row,
  onClose,
  createDefaults,
  reasonRequired,
}: {
  createDefaults?: Record<string, unknown>;
  reasonRequired?: SimpleCrudProps['reasonRequired'];
  title: string;
  root: readonly string[];
  path: string;
  fields: CrudField[];
  row: Record<string, unknown>;
  onClose: () => void;
}) {
  const id = typeof row.id === 'number' ? row.id : undefined;
  const [values, setValues] = useState<Record<string, unknown>>(() => {
    const initial: Record<string, unknown> = {};
    for (const f of fields) initial[f.name] = row[f.name] ?? (f.type === 'checkbox' ? true : '');
    return initial;
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [reason, setReason] = useState('');
  const save = useSave<Record<string, unknown>>(root, path);
  const asksReason = id !== undefined && reasonRequired !== undefined;
  const needsReason = asksReason && reasonRequired(row, values);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found: Record<string, string> = {};
    for (const f of fields) {
      if (f.required && (values[f.name] === '' || values[f.name] === undefined))
        found[f.name] = 'Required.';
    }
    const noReason = missingReason(needsReason, reason);
    if (noReason) found.reason = noReason;
    setErrors(found);
    if (Object.keys(found).length) return;
    const body: Record<string, unknown> = id ? {} : { ...createDefaults };
    for (const f of fields) {
      const v = values[f.name];
      body[f.name] =
        f.type === 'number' || (f.type === 'select' && v !== '' && !Number.isNaN(Number(v)))
          ? Number(v)
          : v;
    }
    if (asksReason && reason.trim()) body.reason = reason.trim();
    save.mutate({ id, body }, { onSuccess: onClose });
  };

  return (
    <Dialog
      open
      onClose={onClose}
      title={`${id ? 'Edit' : 'New'} ${title.toLowerCase().replace(/s$/, '')}`}
    >
      <form className="form" onSubmit={submit} noValidate>
        {fields.map((f) =>
          f.type === 'checkbox' ? (
            <label key={f.name} className="checkbox">
              <input
                type="checkbox"
                checked={Boolean(values[f.name])}
                onChange={(e) => setValues({ ...values, [f.name]: e.target.checked })}
              />
              {f.label}
            </label>
          ) : (
            <Field
              key={f.name}
              label={f.label}
              required={f.required}
              error={errors[f.name] ?? fieldError(save.error, f.name)}
            >
              {f.type === 'select' ? (
                <select
                  value={String(values[f.name] ?? '')}
                  onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
                >
                  <option value="">Choose…</option>
                  {f.options?.map((o) => (
                    <option key={o.value} value={o.value}>
                      {o.label}
                    </option>
                  ))}
                </select>
              ) : f.type === 'textarea' ? (
                <textarea
                  value={String(values[f.name] ?? '')}
                  onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
                />
              ) : (
                <input
                  type={f.type === 'number' ? 'number' : 'text'}
                  value={String(values[f.name] ?? '')}
                  onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
                />
              )}
            </Field>
          ),
        )}
        {asksReason ? (
          <ReasonField
            value={reason}
            onChange={setReason}
            required={needsReason}
            error={errors.reason ?? fieldError(save.error, 'reason')}
          />
        ) : null}
        <ErrorMessage
          error={save.error}
          handledFields={[...fields.map((f) => f.name), ...(asksReason ? ['reason'] : [])]}
        />
        <div className="form-actions">
          <button type="submit" className="btn btn--primary" disabled={save.isPending}>
            Save
          </button>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

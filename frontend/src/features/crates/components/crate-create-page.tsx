import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router-dom';
import { ErrorMessage, fieldError } from '@/components/ui/error-message';
import { Field } from '@/components/ui/field';
import { Card, PageHeader } from '@/components/ui/misc';
import { useToast } from '@/components/ui/toast';
import { useCurrentUser } from '@/contexts/AuthContext';
import { useDepartments, useDocumentTypes, useUnits } from '@/features/admin/api/master-data';
import { ApiError } from '@/lib/api-client';
import { todayIso } from '@/lib/format';
import { queryKeys } from '@/lib/react-query';
import { can } from '@/lib/capabilities';
import type { Crate } from '@/lib/types';
import { createCrate, createDocument } from '../api/crates';
import { validateCrateForm, type DocumentRow, type RowErrors } from './crate-form';

let rowKey = 1;
const emptyRow = (): DocumentRow => ({
  key: rowKey++,
  number: '',
  title: '',
  document_type: '',
  record_date: '',
});

export function CrateCreatePage() {
  const user = useCurrentUser();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { notify } = useToast();
  const needsUnit = can(user, 'see_all_units');
  const [form, setForm] = useState({
    unit: user.unit ? String(user.unit) : '',
    department: '',
    description: '',
  });
  const [rows, setRows] = useState<DocumentRow[]>([emptyRow()]);
  const [crateErrors, setCrateErrors] = useState<Record<string, string>>({});
  const [rowErrors, setRowErrors] = useState<RowErrors[]>([]);
  const [apiError, setApiError] = useState<unknown>(null);
  const [crate, setCrate] = useState<Crate | null>(null);
  const [busy, setBusy] = useState(false);

  const units = useUnits();
  const departments = useDepartments({ page_size: 100, unit: form.unit || undefined });
  const types = useDocumentTypes();
  const today = todayIso();

  const updateRow = (key: number, patch: Partial<DocumentRow>) =>
    setRows((list) => list.map((row) => (row.key === key ? { ...row, ...patch } : row)));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = validateCrateForm(form, rows, needsUnit && !crate, today);
    setCrateErrors(result.crate);
    setRowErrors(result.rows);
    setApiError(null);
    if (!result.ok) return;
    setBusy(true);
    let current = crate;
    try {
      if (!current) {
        current = await createCrate({
          department: Number(form.department),
          description: form.description.trim(),
          ...(needsUnit ? { unit: Number(form.unit) } : {}),
        });
        setCrate(current);
      }
      const errors: RowErrors[] = rows.map(() => ({}));
      let failed = false;
      for (const [index, row] of rows.entries()) {
        if (row.createdId) continue;
        try {
          const doc = await createDocument({
            crate: current.id,
            number: row.number.trim(),
            title: row.title.trim(),
            document_type: Number(row.document_type),
            record_date: row.record_date,
          });
          updateRow(row.key, { createdId: doc.id });
        } catch (error) {
          failed = true;
          errors[index] = {
            number: fieldError(error, 'number'),
            title: fieldError(error, 'title'),
            document_type: fieldError(error, 'document_type'),
            record_date: fieldError(error, 'record_date'),
            general:
              error instanceof ApiError && Object.keys(error.fieldErrors).length
                ? undefined
                : String((error as Error).message),
          };
          if (error instanceof ApiError && error.fieldErrors.non_field_errors) {
            errors[index].general = error.fieldErrors.non_field_errors.join(' ');
          }
        }
      }
      setRowErrors(errors);
      void queryClient.invalidateQueries({ queryKey: queryKeys.crates });
      if (!failed) {
        notify(`Crate ${current.number} created with ${rows.length} document(s).`, 'success');
        navigate(`/crates/${current.id}`);
      }
    } catch (error) {
      setApiError(error);
      if (error instanceof ApiError) {
        setCrateErrors({
          unit: fieldError(error, 'unit') ?? '',
          department: fieldError(error, 'department') ?? '',
          description: fieldError(error, 'description') ?? '',
        });
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageHeader title="New crate" />
      <form onSubmit={submit} noValidate className="form">
        <Card title="Crate">
          {crate ? (
            <div className="alert alert--info" role="status">
              Crate {crate.number} was created. Fix the documents marked below and save again.
            </div>
          ) : null}
          <div className="form-grid">
            {needsUnit ? (
              <Field label="Unit" required error={crateErrors.unit || null}>
                <select
                  name="unit"
                  value={form.unit}
                  disabled={!!crate}
                  onChange={(e) => setForm({ ...form, unit: e.target.value, department: '' })}
                >
                  <option value="">Choose…</option>
                  {units.data?.results.map((u) => (
                    <option key={u.id} value={u.id}>
                      {u.code} — {u.name}
                    </option>
                  ))}
                </select>
              </Field>
            ) : null}
            <Field label="Department" required error={crateErrors.department || null}>
              <select
                name="department"
                value={form.department}
                disabled={!!crate}
                onChange={(e) => setForm({ ...form, department: e.target.value })}
              >
                <option value="">Choose…</option>
                {departments.data?.results.map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.code} — {d.name}
                  </option>
                ))}
              </select>
            </Field>
            <Field
              label="Description"
              required
              error={crateErrors.description || null}
              className="span-2"
            >
              <textarea
                name="description"
                rows={2}
                value={form.description}
                disabled={!!crate}
                onChange={(e) => setForm({ ...form, description: e.target.value })}
              />
            </Field>
          </div>
        </Card>
        <Card
          title={`Documents (${rows.length})`}
          actions={
            <button type="button" className="btn" onClick={() => setRows([...rows, emptyRow()])}>
              Add document
            </button>
          }
        >
          {crateErrors.documents ? (
            <div className="field__error" role="alert">
              {crateErrors.documents}
            </div>
          ) : null}
          {rows.map((row, index) => {
            const errors = rowErrors[index] ?? {};
            return (
              <fieldset key={row.key} className="doc-row" data-testid="document-row">
                <legend>
                  Document {index + 1}
                  {row.createdId ? ' — saved' : ''}
                </legend>
                <Field label="Document number" required error={errors.number}>
                  <input
                    name={`doc-${index}-number`}
                    value={row.number}
                    disabled={!!row.createdId}
                    onChange={(e) => updateRow(row.key, { number: e.target.value })}
                  />
                </Field>
                <Field label="Title" required error={errors.title}>
                  <input
                    name={`doc-${index}-title`}
                    value={row.title}
                    disabled={!!row.createdId}
                    onChange={(e) => updateRow(row.key, { title: e.target.value })}
                  />
                </Field>
                <Field label="Document type" required error={errors.document_type}>
                  <select
                    name={`doc-${index}-type`}
                    value={row.document_type}
                    disabled={!!row.createdId}
                    onChange={(e) =>
                      updateRow(row.key, {
                        document_type: e.target.value ? Number(e.target.value) : '',
                      })
                    }
                  >
                    <option value="">Choose…</option>
                    {types.data?.results.map((t) => (
                      <option key={t.id} value={t.id}>
                        {t.name} ({t.retention_years} y)
                      </option>
                    ))}
                  </select>
                </Field>
                <Field label="Record date" required error={errors.record_date}>
                  <input
                    name={`doc-${index}-date`}
                    type="date"
                    max={today}
                    value={row.record_date}
                    disabled={!!row.createdId}
                    onChange={(e) => updateRow(row.key, { record_date: e.target.value })}
                  />
                </Field>
                {!row.createdId && rows.length > 1 ? (
                  <button
                    type="button"
                    className="btn btn--ghost doc-row__remove"
                    aria-label={`Remove document ${index + 1}`}
                    onClick={() => setRows(rows.filter((r) => r.key !== row.key))}
                  >
                    Remove
                  </button>
                ) : null}
                {errors.general ? (
                  <div className="field__error span-all" role="alert">
                    {errors.general}
                  </div>
                ) : null}
              </fieldset>
            );
          })}
        </Card>
        <ErrorMessage error={apiError} handledFields={['unit', 'department', 'description']} />
        <div className="form-actions">
          <button type="submit" className="btn btn--primary" disabled={busy}>
            {busy ? 'Saving…' : crate ? 'Save remaining documents' : 'Create crate'}
          </button>
          <button
            type="button"
            className="btn"
            onClick={() => navigate(crate ? `/crates/${crate.id}` : '/crates')}
          >
            Cancel
          </button>
        </div>
      </form>
    </>
  );
}

import { useQuery } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { ErrorMessage, fieldError } from '@/components/ui/error-message';
import { Field } from '@/components/ui/field';
import { Card, PageHeader, StatusBadge } from '@/components/ui/misc';
import { useToast } from '@/components/ui/toast';
import { useCurrentUser } from '@/contexts/AuthContext';
import { useUnits } from '@/features/admin/api/master-data';
import { crateQuery, useCrates } from '@/features/crates/api/crates';
import { ScanBox } from '@/features/crates/components/scan-box';
import { api } from '@/lib/api-client';
import { formatDate, todayIso } from '@/lib/format';
import type { Crate, DmsRequest, RequestType } from '@/lib/types';
import { REQUEST_TYPES, useCreateRequest } from '../api/requests';
import {
  ELIGIBLE_STATUS,
  toRequestItems,
  validateRequestForm,
  type PickedItem,
  type RequestFormValues,
} from './request-form';

function PickedCrate({
  item,
  allowDocuments,
  onChange,
  onRemove,
}: {
  item: PickedItem;
  allowDocuments: boolean;
  onChange: (documents: number[] | null) => void;
  onRemove: () => void;
}) {
  const detail = useQuery({
    ...crateQuery(item.crate.id),
    enabled: allowDocuments && item.documents !== null,
  });
  const documents = detail.data?.documents ?? [];
  return (
    <li className="picked" data-testid="picked-crate">
      <div className="picked__head">
        <strong>{item.crate.number}</strong> <StatusBadge status={item.crate.status} />
        <span className="muted">{item.crate.description}</span>
        <span className="topbar__spacer" />
        {allowDocuments ? (
          <label className="checkbox">
            <input
              type="checkbox"
              checked={item.documents === null}
              onChange={(e) => onChange(e.target.checked ? null : [])}
            />
            Whole crate
          </label>
        ) : null}
        <button
          type="button"
          className="btn btn--ghost"
          onClick={onRemove}
          aria-label={`Remove ${item.crate.number}`}
        >
          Remove
        </button>
      </div>
      {allowDocuments && item.documents !== null ? (
        <fieldset className="picked__docs">
          <legend>Documents to withdraw</legend>
          {documents.map((doc) => (
            <label key={doc.id} className="checkbox">
              <input
                type="checkbox"
                disabled={doc.status !== 'in_storage'}
                checked={item.documents?.includes(doc.id) ?? false}
                onChange={(e) =>
                  onChange(
                    e.target.checked
                      ? [...(item.documents ?? []), doc.id]
                      : (item.documents ?? []).filter((d) => d !== doc.id),
                  )
                }
              />
              {doc.number} — {doc.title}
              {doc.status !== 'in_storage' ? ` (${doc.status})` : ''}
            </label>
          ))}
        </fieldset>
      ) : null}
    </li>
  );
}

export function RequestCreatePage() {
  const user = useCurrentUser();
  const navigate = useNavigate();
  const { notify } = useToast();
  const [searchParams] = useSearchParams();
  const initialType = (searchParams.get('type') as RequestType) || 'storage';
  const [values, setValues] = useState<RequestFormValues>({
    request_type: REQUEST_TYPES.some((t) => t.value === initialType) ? initialType : 'storage',
    purpose: '',
    expected_return_date: '',
    target_unit: '',
  });
  const [items, setItems] = useState<PickedItem[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [search, setSearch] = useState('');
  const [submitError, setSubmitError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const create = useCreateRequest();
  // Transfer targets: every active unit (`scope=all`), not just the user's own.
  const units = useUnits({ page_size: 100, is_active: 'true', scope: 'all' });
  const today = todayIso();

  const eligible = ELIGIBLE_STATUS[values.request_type];
  const candidates = useCrates({
    status: eligible,
    search: search || undefined,
    page_size: 10,
    ...(values.request_type === 'destruction' ? { due_for_destruction: 'true' } : {}),
  });

  const preselect = searchParams.get('crate');
  useEffect(() => {
    if (!preselect) return;
    void api
      .get<Crate>(`crates/${preselect}/`)
      .then((crate) =>
        setItems((list) =>
          list.some((i) => i.crate.id === crate.id) ? list : [...list, { crate, documents: null }],
        ),
      )
      .catch(() => undefined);
  }, [preselect]);

  const addCrate = (crate: Crate) => {
    setItems((list) =>
      list.some((i) => i.crate.id === crate.id) ? list : [...list, { crate, documents: null }],
    );
  };

  const addById = async (id: number) => {
    try {
      addCrate(await api.get<Crate>(`crates/${id}/`));
    } catch {
      // The scan box already reported a missing crate.
    }
  };

  const save = async (submit: boolean) => {
    const found = validateRequestForm(values, items, today, user.unit);
    setErrors(found);
    setSubmitError(null);
    if (Object.keys(found).length) return;
    setBusy(true);
    try {
      const created = await create.mutateAsync({
        request_type: values.request_type,
        purpose: values.purpose.trim(),
        items: toRequestItems(items),
        ...(values.request_type === 'withdrawal'
          ? { expected_return_date: values.expected_return_date }
          : {}),
        ...(values.request_type === 'transfer' ? { target_unit: Number(values.target_unit) } : {}),
      });
      if (submit) {
        try {
          await api.post<DmsRequest>(`requests/${created.id}/submit/`, {});
          notify(`Request ${created.number} submitted for approval.`, 'success');
        } catch (error) {
          notify(`Request ${created.number} saved as draft; submitting failed.`, 'error');
          setSubmitError(error);
        }
      } else {
        notify(`Request ${created.number} saved as draft.`, 'success');
      }
      navigate(`/requests/${created.id}`);
    } catch (error) {
      setSubmitError(error);
    } finally {
      setBusy(false);
    }
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void save(true);
  };

  return (
    <>
      <PageHeader title="New request" />
      <form className="form" onSubmit={onSubmit} noValidate>
        <Card title="Request">
          <div className="form-grid">
            <Field label="Type" required error={fieldError(create.error, 'request_type')}>
              <select
                name="request_type"
                value={values.request_type}
                onChange={(e) => {
                  setValues({ ...values, request_type: e.target.value as RequestType });
                  setItems([]);
                }}
              >
                {REQUEST_TYPES.map((t) => (
                  <option key={t.value} value={t.value}>
                    {t.label}
                  </option>
                ))}
              </select>
            </Field>
            {values.request_type === 'withdrawal' ? (
              <Field
                label="Expected return date"
                required
                error={
                  errors.expected_return_date ?? fieldError(create.error, 'expected_return_date')
                }
              >
                <input
                  type="date"
                  name="expected_return_date"
                  min={today}
                  value={values.expected_return_date}
                  onChange={(e) => setValues({ ...values, expected_return_date: e.target.value })}
                />
              </Field>
            ) : null}
            {values.request_type === 'transfer' ? (
              <Field
                label="Transfer to unit"
                required
                error={errors.target_unit ?? fieldError(create.error, 'target_unit')}
              >
                <select
                  name="target_unit"
                  value={values.target_unit}
                  onChange={(e) => setValues({ ...values, target_unit: e.target.value })}
                >
                  <option value="">
                    {units.data && units.data.results.every((u) => u.id === user.unit)
                      ? 'No other unit is available to you'
                      : 'Choose…'}
                  </option>
                  {units.data?.results
                    .filter((u) => u.id !== user.unit)
                    .map((u) => (
                      <option key={u.id} value={u.id}>
                        {u.code} — {u.name}
                      </option>
                    ))}
                </select>
              </Field>
            ) : null}
            <Field
              label="Purpose"
              required
              error={errors.purpose ?? fieldError(create.error, 'purpose')}
              className="span-2"
            >
              <textarea
                name="purpose"
                rows={2}
                value={values.purpose}
                onChange={(e) => setValues({ ...values, purpose: e.target.value })}
              />
            </Field>
          </div>
        </Card>
        <Card title={`Crates (${items.length})`}>
          {errors.items || fieldError(create.error, 'items') ? (
            <div className="field__error" role="alert">
              {errors.items ?? fieldError(create.error, 'items')}
            </div>
          ) : null}
          <ul className="plain-list">
            {items.map((item) => (
              <PickedCrate
                key={item.crate.id}
                item={item}
                allowDocuments={values.request_type === 'withdrawal'}
                onChange={(documents) =>
                  setItems((list) =>
                    list.map((i) => (i.crate.id === item.crate.id ? { ...i, documents } : i)),
                  )
                }
                onRemove={() =>
                  setItems((list) => list.filter((i) => i.crate.id !== item.crate.id))
                }
              />
            ))}
          </ul>
          <div className="picker">
            <ScanBox onFound={(id) => void addById(id)} />
            <label className="picker__search">
              Find {eligible} crates
              <input
                type="search"
                value={search}
                onChange={(e) => setSearch(e.target.value)}
                placeholder="Number or description"
              />
            </label>
            <ul className="plain-list picker__results" aria-label="Matching crates">
              {candidates.data?.results.map((crate) => {
                const picked = items.some((i) => i.crate.id === crate.id);
                return (
                  <li key={crate.id} className="picker__row">
                    <span>
                      <strong>{crate.number}</strong> · {crate.department_name ?? ''} ·{' '}
                      <span className="muted">{crate.description}</span>
                      {values.request_type === 'destruction' ? (
                        <small className="muted">
                          {' '}
                          retention {formatDate(crate.retention_until)}
                        </small>
                      ) : null}
                    </span>
                    <button
                      type="button"
                      className="btn"
                      disabled={picked}
                      onClick={() => addCrate(crate)}
                    >
                      {picked ? 'Added' : 'Add'}
                    </button>
                  </li>
                );
              })}
              {candidates.data && candidates.data.results.length === 0 ? (
                <li className="muted">No {eligible} crates match.</li>
              ) : null}
            </ul>
          </div>
        </Card>
        <ErrorMessage
          error={submitError}
          handledFields={[
            'purpose',
            'items',
            'expected_return_date',
            'target_unit',
            'request_type',
          ]}
        />
        <div className="form-actions">
          <button type="submit" className="btn btn--primary" disabled={busy}>
            Submit request
          </button>
          <button type="button" className="btn" disabled={busy} onClick={() => void save(false)}>
            Save as draft
          </button>
          <button type="button" className="btn btn--ghost" onClick={() => navigate(-1)}>
            Cancel
          </button>
        </div>
      </form>
    </>
  );
}

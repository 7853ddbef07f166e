import { useQueries, useQuery } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { ErrorMessage, fieldError } from '@/components/ui/error-message';
import { Field } from '@/components/ui/field';
import { Card, Loading, PageHeader, StatusBadge } from '@/components/ui/misc';
import { useToast } from '@/components/ui/toast';
import { useCurrentUser } from '@/contexts/AuthContext';
import { useUnits } from '@/features/admin/api/master-data';
import { crateQuery, useCrates } from '@/features/crates/api/crates';
import { ScanBox } from '@/features/crates/components/scan-box';
import { api } from '@/lib/api-client';
import { formatDate, todayIso } from '@/lib/format';
import type { Crate, DmsRequest, RequestType } from '@/lib/types';
import { REQUEST_TYPES, useCreateRequest, useRequest, useUpdateRequest } from '../api/requests';
import {
  ELIGIBLE_STATUS,
  crateUnusableReason,
  pickedFromRequest,
  toRequestBody,
  validateRequestForm,
  valuesFromRequest,
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
  const [searchParams] = useSearchParams();
  const initialType = (searchParams.get('type') as RequestType) || 'storage';
  return (
    <RequestFormPage
      initialValues={{
        request_type: REQUEST_TYPES.some((t) => t.value === initialType) ? initialType : 'storage',
        purpose: '',
        expected_return_date: '',
        target_unit: '',
      }}
      initialItems={[]}
      preselect={searchParams.get('crates') ?? searchParams.get('crate')}
    />
  );
}

/** A draft request's header fields and items, changed through `PATCH /api/requests/{id}/`. */
export function RequestEditPage() {
  const id = Number(useParams().id);
  const request = useRequest(id);
  const crateIds = Array.from(new Set((request.data?.items ?? []).map((item) => item.crate)));
  const crates = useQueries({ queries: crateIds.map((crateId) => crateQuery(crateId)) });
  if (request.error) return <ErrorMessage error={request.error} />;
  const failed = crates.find((query) => query.error);
  if (failed) return <ErrorMessage error={failed.error} />;
  if (!request.data || crates.some((query) => !query.data)) return <Loading />;
  if (!request.data.allowed_actions.includes('edit')) {
    return (
      <ErrorMessage error={new Error(`Request ${request.data.number} cannot be edited now.`)} />
    );
  }
  const byId = new Map(crates.map((query) => [query.data!.id, query.data!] as const));
  return (
    <RequestFormPage
      key={request.data.id}
      existing={request.data}
      initialValues={valuesFromRequest(request.data)}
      initialItems={pickedFromRequest(request.data.items, byId)}
    />
  );
}

function RequestFormPage({
  existing,
  initialValues,
  initialItems,
  preselect = null,
}: {
  /** The draft being edited; absent when creating a request. */
  existing?: DmsRequest;
  initialValues: RequestFormValues;
  initialItems: PickedItem[];
  preselect?: string | null;
}) {
  const user = useCurrentUser();
  const navigate = useNavigate();
  const { notify } = useToast();
  const [values, setValues] = useState<RequestFormValues>(initialValues);
  const [items, setItems] = useState<PickedItem[]>(initialItems);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [search, setSearch] = useState('');
  const [submitError, setSubmitError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const create = useCreateRequest();
  const update = useUpdateRequest(existing?.id ?? 0);
  const mutation = existing ? update : create;
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

  // `?crate=12` (from a crate) or `?crates=12,15,20` (a selection in the crate list).
  useEffect(() => {
    if (!preselect) return;
    const ids = preselect
      .split(',')
      .map((part) => Number(part))
      .filter((id) => Number.isInteger(id) && id > 0);
    void Promise.all(ids.map((id) => api.get<Crate>(`crates/${id}/`).catch(() => null))).then(
      (crates) => {
        // A link may be stale (a hold placed since): refuse now rather than at Submit.
        const refused: string[] = [];
        const usable: Crate[] = [];
        for (const crate of crates) {
          if (!crate) continue;
          const unusable = crateUnusableReason(initialValues.request_type, crate);
          if (unusable) refused.push(`${crate.number} cannot be added: ${unusable}.`);
          else usable.push(crate);
        }
        if (refused.length) setErrors((e) => ({ ...e, items: refused.join(' ') }));
        setItems((list) => {
          const next = [...list];
          for (const crate of usable) {
            if (!next.some((i) => i.crate.id === crate.id)) next.push({ crate, documents: null });
          }
          return next;
        });
      },
    );
    // Only the link's crates, once: the type chosen later is the picker's business.
    // eslint-disable-next-line react-hooks/exhaustive-deps
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
      const body = toRequestBody(values, items);
      const created = existing
        ? await update.mutateAsync(body)
        : await create.mutateAsync({ request_type: values.request_type, ...body });
      if (submit) {
        try {
          await api.post<DmsRequest>(`requests/${created.id}/submit/`, {});
          notify(`Request ${created.number} submitted for approval.`, 'success');
        } catch (error) {
          notify(`Request ${created.number} saved as draft; submitting failed.`, 'error');
          setSubmitError(error);
        }
      } else {
        notify(
          existing
            ? `Request ${created.number} saved.`
            : `Request ${created.number} saved as draft.`,
          'success',
        );
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
      <PageHeader title={existing ? `Edit request ${existing.number}` : 'New request'} />
      <form className="form" onSubmit={onSubmit} noValidate>
        <Card title="Request">
          <div className="form-grid">
            <Field label="Type" required error={fieldError(mutation.error, 'request_type')}>
              <select
                name="request_type"
                // A request keeps its type; a draft of the wrong type is deleted instead.
                disabled={existing !== undefined}
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
                  errors.expected_return_date ?? fieldError(mutation.error, 'expected_return_date')
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
                error={errors.target_unit ?? fieldError(mutation.error, 'target_unit')}
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
              error={errors.purpose ?? fieldError(mutation.error, 'purpose')}
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
          {errors.items || fieldError(mutation.error, 'items') ? (
            <div className="field__error" role="alert">
              {errors.items ?? fieldError(mutation.error, 'items')}
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
            <ScanBox onFound={(id) => addById(id)} />
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
                const unusable = crateUnusableReason(values.request_type, crate);
                return (
                  <li
                    key={crate.id}
                    className="picker__row"
                    data-testid="picker-row"
                    data-unusable={unusable ? 'true' : undefined}
                  >
                    <span>
                      <strong>{crate.number}</strong> · {crate.department_name ?? ''} ·{' '}
                      <span className="muted">{crate.description}</span>
                      {values.request_type === 'destruction' ? (
                        <small className="muted">
                          {' '}
                          retention {formatDate(crate.retention_until)}
                        </small>
                      ) : null}
                      {unusable ? <small className="picker__why"> — {unusable}</small> : null}
                    </span>
                    <button
                      type="button"
                      className="btn"
                      disabled={picked || unusable !== null}
                      onClick={() => addCrate(crate)}
                    >
                      {/* The crate number is read out with the visible word, so the name says
                          which crate and still starts with what the eye sees (WCAG 2.5.3). */}
                      {picked ? 'Added' : unusable ? 'Not available' : 'Add'}
                      <span className="sr-only"> {crate.number}</span>
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
            {existing ? 'Save and submit' : 'Submit request'}
          </button>
          <button type="button" className="btn" disabled={busy} onClick={() => void save(false)}>
            {existing ? 'Save changes' : 'Save as draft'}
          </button>
          <button type="button" className="btn btn--ghost" onClick={() => navigate(-1)}>
            Cancel
          </button>
        </div>
      </form>
    </>
  );
}

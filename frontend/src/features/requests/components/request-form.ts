import type { Crate, DmsRequest, RequestItem, RequestType, RequestUpdate } from '@/lib/types';

export interface PickedItem {
  crate: Crate;
  /** null: the whole crate; otherwise the chosen document ids (withdrawal only). */
  documents: number[] | null;
}

export interface RequestFormValues {
  request_type: RequestType;
  purpose: string;
  expected_return_date: string;
  target_unit: string;
}

/** Crate status each request type takes (docs/workflows.md). */
export const ELIGIBLE_STATUS: Record<RequestType, string> = {
  storage: 'draft',
  withdrawal: 'stored',
  destruction: 'stored',
  transfer: 'stored',
};

/**
 * Why `crate` cannot go into a request of `type` now, or null when it can. Stored crates are
 * judged by the API's `allowed_actions` (open requests, documents out, legal hold, retention:
 * docs/workflows.md), so the picker never offers what Submit would refuse.
 */
export function crateUnusableReason(type: RequestType, crate: Crate): string | null {
  if (type === 'storage') {
    if (crate.status !== 'draft') return `${crate.status}, not a draft`;
    if (!crate.document_count) return 'no documents yet';
    return null;
  }
  if (crate.allowed_actions.includes(`request_${type}`)) return null;
  if (crate.status !== 'stored') return `${crate.status}, not stored`;
  if (type === 'destruction' && crate.legal_hold) return 'under legal hold';
  if (type === 'destruction') return 'not due, or documents out or in an open request';
  return 'in an open request or documents out';
}

export function validateRequestForm(
  values: RequestFormValues,
  items: PickedItem[],
  today: string,
  ownUnit: number | null,
): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!values.purpose.trim()) errors.purpose = 'State the purpose of the request.';
  if (items.length === 0) errors.items = 'Pick at least one crate.';
  if (values.request_type === 'withdrawal') {
    if (!values.expected_return_date) errors.expected_return_date = 'Required for a withdrawal.';
    else if (values.expected_return_date < today) {
      errors.expected_return_date = 'Cannot be in the past.';
    }
  }
  if (values.request_type === 'transfer') {
    if (!values.target_unit) errors.target_unit = 'Choose the unit to transfer to.';
    else if (ownUnit !== null && Number(values.target_unit) === ownUnit) {
      errors.target_unit = 'Choose a unit other than the crates’ own.';
    }
  }
  const wrong = items.filter((item) => item.crate.status !== ELIGIBLE_STATUS[values.request_type]);
  if (wrong.length) {
    errors.items = `${wrong.map((w) => w.crate.number).join(', ')}: a ${values.request_type} request takes ${ELIGIBLE_STATUS[values.request_type]} crates.`;
  }
  if (values.request_type === 'destruction') {
    const held = items.filter((item) => item.crate.legal_hold);
    if (held.length) errors.items = `${held.map((h) => h.crate.number).join(', ')} on legal hold.`;
  }
  for (const item of items) {
    if (item.documents && item.documents.length === 0) {
      errors.items = `${item.crate.number}: choose documents or take the whole crate.`;
    }
  }
  return errors;
}

/** The form's values for an existing (draft) request. */
export function valuesFromRequest(request: DmsRequest): RequestFormValues {
  return {
    request_type: request.request_type,
    purpose: request.purpose,
    expected_return_date: request.expected_return_date ?? '',
    target_unit: request.target_unit === null ? '' : String(request.target_unit),
  };
}

/** A request's items as picked crates: a whole crate, or the documents chosen from it. */
export function pickedFromRequest(items: RequestItem[], crates: Map<number, Crate>): PickedItem[] {
  const picked = new Map<number, PickedItem>();
  for (const item of items) {
    const crate = crates.get(item.crate);
    if (!crate) continue;
    const entry = picked.get(item.crate) ?? {
      crate,
      documents: item.document === null ? null : [],
    };
    if (item.document !== null && entry.documents !== null) entry.documents.push(item.document);
    picked.set(item.crate, entry);
  }
  return Array.from(picked.values());
}

/** The body shared by create and edit: only the fields the request's type uses. */
export function toRequestBody(
  values: RequestFormValues,
  items: PickedItem[],
): Required<Pick<RequestUpdate, 'purpose' | 'items'>> & RequestUpdate {
  return {
    purpose: values.purpose.trim(),
    items: toRequestItems(items),
    ...(values.request_type === 'withdrawal'
      ? { expected_return_date: values.expected_return_date }
      : {}),
    ...(values.request_type === 'transfer' ? { target_unit: Number(values.target_unit) } : {}),
  };
}

export function toRequestItems(items: PickedItem[]): { crate: number; document?: number }[] {
  return items.flatMap((item) =>
    item.documents === null
      ? [{ crate: item.crate.id }]
      : item.documents.map((document) => ({ crate: item.crate.id, document })),
  );
}

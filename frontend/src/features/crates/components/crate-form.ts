import type { NewDocument } from '../api/crates';

export interface DocumentRow extends NewDocument {
  key: number;
  /** Set once the server created it, so a retry does not create it twice. */
  createdId?: number;
}

export type RowErrors = Partial<Record<keyof NewDocument | 'general', string>>;

export function validateCrateForm(
  form: { department: string; description: string; unit?: string },
  rows: DocumentRow[],
  needsUnit: boolean,
  today: string,
): { crate: Record<string, string>; rows: RowErrors[]; ok: boolean } {
  const crate: Record<string, string> = {};
  if (needsUnit && !form.unit) crate.unit = 'Choose the unit.';
  if (!form.department) crate.department = 'Choose the department.';
  if (!form.description.trim()) crate.description = 'Describe what the crate holds.';
  const numbers = new Map<string, number>();
  const rowErrors = rows.map((row, index) => {
    const errors: RowErrors = {};
    if (!row.number.trim()) errors.number = 'Required.';
    else {
      const seen = numbers.get(row.number.trim().toLowerCase());
      if (seen !== undefined) errors.number = `Same number as document ${seen + 1}.`;
      else numbers.set(row.number.trim().toLowerCase(), index);
    }
    if (!row.title.trim()) errors.title = 'Required.';
    if (!row.document_type) errors.document_type = 'Required.';
    if (!row.record_date) errors.record_date = 'Required.';
    else if (row.record_date > today) errors.record_date = 'Cannot be in the future.';
    return errors;
  });
  if (rows.length === 0) crate.documents = 'Add at least one document.';
  const ok = Object.keys(crate).length === 0 && rowErrors.every((e) => Object.keys(e).length === 0);
  return { crate, rows: rowErrors, ok };
}

import { Field } from './field';

/**
 * The reason for a change (EU GMP Annex 11 §9), kept in the audit trail. The server decides
 * which changes need one (docs/audit.md); the form shows the field where they may.
 */
export function ReasonField({
  value,
  onChange,
  required,
  error,
}: {
  value: string;
  onChange: (value: string) => void;
  required: boolean;
  error?: string | null;
}) {
  return (
    <Field
      label="Reason for change"
      required={required}
      hint={
        required
          ? 'This change affects records: say why. It is kept in the audit trail.'
          : 'Kept in the audit trail.'
      }
      error={error}
    >
      <textarea name="reason" rows={2} value={value} onChange={(e) => onChange(e.target.value)} />
    </Field>
  );
}

/** The client-side check of a required reason; the server's 400 `{reason}` is the rule. */
export function missingReason(required: boolean, reason: string): string | null {
  return required && !reason.trim() ? 'Give the reason for this change.' : null;
}

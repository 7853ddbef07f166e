import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { Dialog } from '@/components/ui/dialog';
import { ErrorMessage } from '@/components/ui/error-message';
import { Field } from '@/components/ui/field';
import { CertificationForm } from '@/features/auth/components/certification-form';
import { ApiError } from '@/lib/api-client';
import { humanize } from '@/lib/format';

export interface SignatureInput {
  password: string;
  comment: string;
}

interface SignatureDialogProps {
  open: boolean;
  title: string;
  /** What the signature means (Part 11 §11.50): approved, rejected, destroyed. */
  meaning: string;
  signerName: string;
  recordLabel: string;
  commentRequired?: boolean;
  showComment?: boolean;
  confirmLabel: string;
  /**
   * Exactly what is signed (the server's canonical content; 21 CFR 11.70), shown in full; with
   * `showComment` its comment is the one typed here, else the content's own (a schedule change
   * signs its reason). A function gets the typed comment, for content that repeats it (a hold's
   * release reason).
   */
  content?: Record<string, unknown> | ((comment: string) => Record<string, unknown>) | null;
  /** Further fields the signature records (a destruction's method, vendor and witness). */
  children?: ReactNode;
  /** Field names the children show errors for themselves. */
  handledFields?: string[];
  onClose: () => void;
  onSign: (input: SignatureInput) => Promise<unknown>;
}

export function signatureErrorMessage(error: unknown): string | null {
  if (error instanceof ApiError && error.message.startsWith('Witness:')) {
    return `${error.message} Nothing was signed and nothing changed.`;
  }
  if (error instanceof ApiError && error.code === 'invalid_signature') {
    return 'The password is not correct. Nothing was signed and nothing changed.';
  }
  if (error instanceof ApiError && error.code === 'account_locked') {
    return 'The account is locked after repeated wrong passwords. Nothing was signed; ask an administrator.';
  }
  if (error instanceof ApiError && error.fieldErrors.password) {
    return error.fieldErrors.password.join(' ');
  }
  return null;
}

/** Electronic signature: re-enter the password, see what the signature means, add a comment. */
export function SignatureDialog({
  open,
  title,
  meaning,
  signerName,
  recordLabel,
  commentRequired = false,
  showComment = true,
  confirmLabel,
  content,
  children,
  handledFields = [],
  onClose,
  onSign,
}: SignatureDialogProps) {
  const [password, setPassword] = useState('');
  const [comment, setComment] = useState('');
  const [errors, setErrors] = useState<{ password?: string; comment?: string }>({});
  const [apiError, setApiError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!open) {
      setPassword('');
      setComment('');
      setErrors({});
      setApiError(null);
    }
  }, [open]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found: typeof errors = {};
    if (!password) found.password = 'Enter your password to sign.';
    if (commentRequired && !comment.trim()) found.comment = 'A comment is required.';
    setErrors(found);
    if (Object.keys(found).length) return;
    setBusy(true);
    setApiError(null);
    try {
      await onSign({ password, comment: comment.trim() });
      onClose();
    } catch (error) {
      setPassword('');
      setApiError(error);
      const passwordMessage = signatureErrorMessage(error);
      const commentMessage =
        error instanceof ApiError ? error.fieldErrors.comment?.join(' ') : undefined;
      setErrors({ password: passwordMessage ?? undefined, comment: commentMessage });
    } finally {
      setBusy(false);
    }
  };

  const signed = typeof content === 'function' ? content(comment.trim()) : content;
  const handled = signatureErrorMessage(apiError) !== null;
  const needsCertification =
    apiError instanceof ApiError &&
    apiError.code === 'certification_required' &&
    !apiError.message.startsWith('Witness:');
  return (
    <Dialog open={open} onClose={onClose} title={title}>
      <form onSubmit={submit} noValidate className="form" data-testid="signature-dialog">
        <div className="signature-statement">
          <p>
            Signing <strong>{recordLabel}</strong> as <strong>{signerName}</strong>.
          </p>
          <p>
            Meaning of this signature:{' '}
            <strong data-testid="signature-meaning">{humanize(meaning)}</strong>
          </p>
          <p className="muted">
            Your electronic signature is the legally binding equivalent of your handwritten
            signature. It is recorded with the date and time.
          </p>
        </div>
        {signed ? (
          <details open className="signature-content">
            <summary>What you sign</summary>
            <pre data-testid="signature-content" tabIndex={0}>
              {JSON.stringify(
                showComment ? { ...signed, comment: comment.trim() } : signed,
                null,
                2,
              )}
            </pre>
          </details>
        ) : null}
        {children}
        <Field label="Password" required error={errors.password}>
          <input
            type="password"
            name="signature-password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </Field>
        {showComment ? (
          <Field
            label={commentRequired ? 'Comment (required)' : 'Comment'}
            required={commentRequired}
            error={errors.comment}
          >
            <textarea
              name="signature-comment"
              rows={3}
              value={comment}
              onChange={(e) => setComment(e.target.value)}
            />
          </Field>
        ) : null}
        {!handled && !needsCertification ? (
          <ErrorMessage
            error={apiError}
            handledFields={['password', 'comment', ...handledFields]}
          />
        ) : null}
        <div className="form-actions">
          <button type="submit" className="btn btn--primary" disabled={busy}>
            {busy ? 'Signing…' : confirmLabel}
          </button>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
      {needsCertification ? (
        <div role="alert" data-testid="certification-required">
          <p>{apiError.message} Certify your electronic signature below, then sign again.</p>
          <CertificationForm onCertified={() => setApiError(null)} />
        </div>
      ) : null}
    </Dialog>
  );
}

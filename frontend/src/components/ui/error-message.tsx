import { ApiError } from '@/lib/api-client';

interface ErrorMessageProps {
  error: unknown;
  /** Fields shown next to their own control; the rest are listed here. */
  handledFields?: string[];
}

export function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}

/** The API's answer, in words, where the action was taken. */
export function ErrorMessage({ error, handledFields = [] }: ErrorMessageProps) {
  if (!error) return null;
  if (error instanceof ApiError && Object.keys(error.fieldErrors).length > 0) {
    const rest = Object.entries(error.fieldErrors).filter(([key]) => !handledFields.includes(key));
    if (rest.length === 0) return null;
    return (
      <div className="alert alert--error" role="alert">
        <ul className="plain-list">
          {rest.map(([key, messages]) => (
            <li key={key}>
              {key === 'non_field_errors' || key === 'detail' ? '' : `${key.replace(/_/g, ' ')}: `}
              {messages.join(' ')}
            </li>
          ))}
        </ul>
      </div>
    );
  }
  const status = error instanceof ApiError ? error.status : undefined;
  const prefix =
    status === 403
      ? 'Not allowed: '
      : status === 404
        ? 'Not found: '
        : status === 409
          ? 'Conflict: '
          : '';
  return (
    <div className="alert alert--error" role="alert">
      {prefix}
      {errorText(error)}
    </div>
  );
}

/** Field error from an ApiError, for `<Field error=...>`. */
export function fieldError(error: unknown, name: string): string | undefined {
  return error instanceof ApiError ? error.fieldErrors[name]?.join(' ') : undefined;
}

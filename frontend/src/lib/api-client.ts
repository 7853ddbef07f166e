import { authStorage } from './auth-storage';

export type FieldErrors = Record<string, string[]>;

/** An error answered by the API: 400 carries field errors, others `{detail, code}`. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string | undefined;
  readonly fieldErrors: FieldErrors;
  readonly body: unknown;

  constructor(status: number, body: unknown) {
    const { message, code, fieldErrors } = describe(status, body);
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.fieldErrors = fieldErrors;
    this.body = body;
  }

  /** First message for a field (or for nested items, e.g. `items`). */
  field(name: string): string | undefined {
    const value = this.fieldErrors[name];
    return value?.[0];
  }
}

function flatten(value: unknown): string[] {
  if (value == null) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(flatten);
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).flatMap(([key, inner]) =>
      flatten(inner).map((msg) => (key === 'non_field_errors' ? msg : `${key}: ${msg}`)),
    );
  }
  return [String(value)];
}

function describe(
  status: number,
  body: unknown,
): { message: string; code: string | undefined; fieldErrors: FieldErrors } {
  const fieldErrors: FieldErrors = {};
  let code: string | undefined;
  let message = `Request failed (${status})`;
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const record = body as Record<string, unknown>;
    if (typeof record.code === 'string') code = record.code;
    if (typeof record.detail === 'string') {
      message = record.detail;
    } else {
      for (const [key, value] of Object.entries(record)) {
        // `code` is the error code in `{detail, code}`, but a field (location code…) in a 400.
        if (key === 'code' && typeof value === 'string') continue;
        fieldErrors[key] = flatten(value);
      }
      const general = fieldErrors.non_field_errors ?? fieldErrors.detail;
      const first = Object.entries(fieldErrors)[0];
      if (general?.length) message = general.join(' ');
      else if (first) message = `${first[0]}: ${first[1].join(' ')}`;
    }
  } else if (typeof body === 'string' && body && status < 500 && body.length < 300) {
    message = body;
  }
  if (status >= 500 && message.startsWith('Request failed')) {
    message = 'The server had a problem. Please try again.';
  }
  if (status === 0) message = 'Cannot reach the server. Check your connection.';
  return { message, code, fieldErrors };
}

type Params = Record<string, string | number | boolean | undefined | null>;

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  params?: Params;
  /** Return the raw Response (for PDF/CSV downloads). */
  raw?: boolean;
  /** Do not send the token nor refresh on 401 (login, refresh). */
  anonymous?: boolean;
  signal?: AbortSignal;
}

let onAuthFailure: () => void = () => {
  window.location.assign('/login');
};

/** Called when the session cannot be renewed; the app routes to the login screen. */
export function setAuthFailureHandler(handler: () => void): void {
  onAuthFailure = handler;
}

export function buildUrl(path: string, params?: Params): string {
  const url =
    path.startsWith('/api/') || path.startsWith('http') ? path : `/api/${path.replace(/^\//, '')}`;
  if (!params) return url;
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    search.set(key, String(value));
  }
  const query = search.toString();
  return query ? `${url}${url.includes('?') ? '&' : '?'}${query}` : url;
}

/** What the login screen says when the session could not be renewed. */
export const SESSION_EXPIRED = 'Your session has expired. Please sign in again.';

let refreshing: Promise<boolean> | null = null;

/**
 * Renews the token pair once for every caller that saw a 401 at the same time:
 * the refresh token rotates, so a second concurrent refresh would be refused.
 */
export function refreshSession(): Promise<boolean> {
  if (refreshing) return refreshing;
  const session = authStorage.get();
  if (!session?.refresh) return Promise.resolve(false);
  refreshing = (async () => {
    try {
      const response = await fetch(buildUrl('auth/refresh/'), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ refresh: session.refresh }),
      });
      if (!response.ok) return false;
      const data = (await response.json()) as { access: string; refresh?: string };
      authStorage.setTokens(data.access, data.refresh ?? session.refresh);
      return true;
    } catch {
      return false;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

async function parseBody(response: Response): Promise<unknown> {
  if (response.status === 204 || response.status === 205) return null;
  const type = response.headers.get('Content-Type') ?? '';
  if (type.includes('json')) {
    try {
      return await response.json();
    } catch {
      return null;
    }
  }
  return await response.text();
}

async function send(path: string, options: RequestOptions): Promise<Response> {
  // A file (raw) may be asked for with `?format=pdf`, which DRF matches against Accept.
  const headers: Record<string, string> = { Accept: options.raw ? '*/*' : 'application/json' };
  let body: BodyInit | undefined;
  if (options.body instanceof FormData) {
    // A file upload: the browser sets the multipart boundary itself.
    body = options.body;
  } else if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const token = authStorage.get()?.access;
  if (token && !options.anonymous) headers.Authorization = `Bearer ${token}`;
  try {
    return await fetch(buildUrl(path, options.params), {
      method: options.method ?? 'GET',
      headers,
      body,
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, null);
  }
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  let response = await send(path, options);
  if (response.status === 401 && !options.anonymous && authStorage.get()) {
    const renewed = await refreshSession();
    if (!renewed) {
      authStorage.clear(SESSION_EXPIRED);
      onAuthFailure();
      throw new ApiError(401, { detail: 'Your session has ended. Please sign in again.' });
    }
    response = await send(path, options);
  }
  if (!response.ok) throw new ApiError(response.status, await parseBody(response));
  if (options.raw) return response as T;
  return (await parseBody(response)) as T;
}

export const api = {
  get: <T>(path: string, params?: Params, signal?: AbortSignal) =>
    request<T>(path, { params, signal }),
  post: <T>(path: string, body?: unknown) => request<T>(path, { method: 'POST', body: body ?? {} }),
  put: <T>(path: string, body?: unknown) => request<T>(path, { method: 'PUT', body }),
  patch: <T>(path: string, body?: unknown) => request<T>(path, { method: 'PATCH', body }),
  delete: <T = null>(path: string) => request<T>(path, { method: 'DELETE' }),
};

/**
 * Fetches a file with the token and opens it (PDF) or saves it (CSV, ZPL). With `body`, the
 * file is asked for with a POST (label sheets).
 */
export async function openFile(
  path: string,
  filename: string,
  params?: Params,
  body?: unknown,
): Promise<void> {
  const response = await request<Response>(path, {
    params,
    raw: true,
    ...(body !== undefined ? { method: 'POST' as const, body } : {}),
  });
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  if (blob.type.includes('pdf')) {
    const win = window.open(url, '_blank');
    if (!win) download(url, filename);
  } else {
    download(url, filename);
  }
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function download(url: string, filename: string): void {
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
}

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, SESSION_EXPIRED, api, setAuthFailureHandler } from './api-client';
import { authStorage } from './auth-storage';
import { makeUser } from '@/test/factories';

const user = makeUser();

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

describe('api client', () => {
  const fetchMock = vi.fn<typeof fetch>();

  beforeEach(() => {
    fetchMock.mockReset();
    vi.stubGlobal('fetch', fetchMock);
    authStorage.set({ access: 'old-access', refresh: 'old-refresh', user });
  });

  afterEach(() => {
    vi.unstubAllGlobals();
    authStorage.clear();
  });

  it('sends the access token as a Bearer header', async () => {
    fetchMock.mockResolvedValueOnce(json(200, { ok: true }));
    await api.get('crates/');
    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe('/api/crates/');
    expect((init?.headers as Record<string, string>).Authorization).toBe('Bearer old-access');
  });

  it('refreshes the token on 401 and retries the request once', async () => {
    fetchMock
      .mockResolvedValueOnce(json(401, { detail: 'expired', code: 'token_not_valid' }))
      .mockResolvedValueOnce(json(200, { access: 'new-access', refresh: 'new-refresh' }))
      .mockResolvedValueOnce(json(200, { count: 0, results: [] }));

    const data = await api.get<{ count: number }>('crates/');

    expect(data.count).toBe(0);
    expect(fetchMock).toHaveBeenCalledTimes(3);
    const [refreshUrl, refreshInit] = fetchMock.mock.calls[1];
    expect(refreshUrl).toBe('/api/auth/refresh/');
    expect(JSON.parse(String(refreshInit?.body))).toEqual({ refresh: 'old-refresh' });
    const retryHeaders = fetchMock.mock.calls[2][1]?.headers as Record<string, string>;
    expect(retryHeaders.Authorization).toBe('Bearer new-access');
    expect(authStorage.get()).toMatchObject({ access: 'new-access', refresh: 'new-refresh' });
  });

  it('refreshes only once for concurrent 401s (the refresh token rotates)', async () => {
    fetchMock.mockImplementation(async (input, init) => {
      const url = String(input);
      if (url === '/api/auth/refresh/')
        return json(200, { access: 'new-access', refresh: 'new-refresh' });
      const auth = (init?.headers as Record<string, string>).Authorization;
      return auth === 'Bearer new-access' ? json(200, { url }) : json(401, { detail: 'expired' });
    });

    await Promise.all([api.get('crates/'), api.get('requests/'), api.get('locations/')]);

    const refreshCalls = fetchMock.mock.calls.filter(
      ([url]) => String(url) === '/api/auth/refresh/',
    );
    expect(refreshCalls).toHaveLength(1);
  });

  it('clears the session and goes to login when the refresh fails', async () => {
    const onFailure = vi.fn();
    setAuthFailureHandler(onFailure);
    fetchMock
      .mockResolvedValueOnce(json(401, { detail: 'expired' }))
      .mockResolvedValueOnce(
        json(401, { detail: 'Token is blacklisted', code: 'token_not_valid' }),
      );

    await expect(api.get('crates/')).rejects.toMatchObject({ status: 401 });
    expect(onFailure).toHaveBeenCalledTimes(1);
    expect(authStorage.get()).toBeNull();
    expect(authStorage.endReason()).toBe(SESSION_EXPIRED);
  });

  it('turns 400 field errors and coded errors into ApiError', async () => {
    fetchMock.mockResolvedValueOnce(json(400, { purpose: ['This field is required.'] }));
    const error = await api.post('requests/', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).field('purpose')).toBe('This field is required.');

    fetchMock.mockResolvedValueOnce(
      json(409, { detail: 'Not allowed now.', code: 'invalid_transition' }),
    );
    const conflict = (await api
      .post('requests/1/approve/', {})
      .catch((e: unknown) => e)) as ApiError;
    expect(conflict.status).toBe(409);
    expect(conflict.code).toBe('invalid_transition');
    expect(conflict.message).toBe('Not allowed now.');
  });

  it('keeps a field named code as a field error', async () => {
    fetchMock.mockResolvedValueOnce(
      json(400, { code: ['A location with this code exists in this unit.'] }),
    );
    const error = (await api.post('locations/', {}).catch((e: unknown) => e)) as ApiError;
    expect(error.code).toBeUndefined();
    expect(error.field('code')).toBe('A location with this code exists in this unit.');
    expect(error.message).toBe('code: A location with this code exists in this unit.');
  });

  it('does not refresh for anonymous calls such as login', async () => {
    fetchMock.mockResolvedValueOnce(json(401, { detail: 'bad credentials' }));
    const { login } = await import('@/features/auth/api/auth');
    await expect(login('x', 'y')).rejects.toMatchObject({ status: 401 });
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });
});

import { api, request } from '@/lib/api-client';
import type { CurrentUser, LoginResponse, WsTicket } from '@/lib/types';

export function login(username: string, password: string): Promise<LoginResponse> {
  return request<LoginResponse>('auth/login/', {
    method: 'POST',
    body: { username, password },
    anonymous: true,
  });
}

export function logout(refresh: string): Promise<null> {
  return api.post<null>('auth/logout/', { refresh });
}

export function getMe(): Promise<CurrentUser> {
  return api.get<CurrentUser>('auth/me/');
}

export function changePassword(body: { old_password: string; new_password: string }) {
  return api.post<unknown>('auth/change-password/', body);
}

export function getWsTicket(): Promise<WsTicket> {
  return api.post<WsTicket>('auth/ws-ticket/', {});
}

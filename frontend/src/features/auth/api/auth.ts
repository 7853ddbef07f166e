import { api, request } from '@/lib/api-client';
import type { Certification, CurrentUser, LoginResponse, WsTicket } from '@/lib/types';

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

/** The certification statement and when the signed-in user certified it (null: not yet). */
export function getCertification(): Promise<Certification> {
  return api.get<Certification>('auth/signature-certification/');
}

/** 21 CFR 11.100(c): certify, once, that the electronic signature binds like a handwritten one. */
export function certifySignature(password: string): Promise<Certification> {
  return api.post<Certification>('auth/signature-certification/', { password });
}

import { can } from '@/lib/roles';
import type { DmsRequest, RequestAction, User } from '@/lib/types';

/**
 * Actions to offer: the server's `allowed_actions` when present, else the same rules
 * from roles, status and segregation of duties (docs/roles.md, docs/workflows.md). The API remains the authority.
 */
export function allowedActions(request: DmsRequest, user: User): RequestAction[] {
  if (Array.isArray(request.allowed_actions)) return request.allowed_actions;
  const actions: RequestAction[] = [];
  const isRequester = request.requester === user.id;
  if (isRequester && request.status === 'draft') actions.push('submit');
  if (isRequester && (request.status === 'draft' || request.status === 'submitted'))
    actions.push('cancel');
  if (request.status === 'submitted' && can.approve(user) && !isRequester)
    actions.push('approve', 'reject');
  if (request.status === 'approved' && can.execute(user) && request.decided_by !== user.id)
    actions.push('execute');
  if (
    request.status === 'in_transit' &&
    request.request_type === 'transfer' &&
    can.execute(user) &&
    (can.allUnits(user) || user.unit === request.target_unit)
  ) {
    actions.push('receive');
  }
  if (
    request.request_type === 'withdrawal' &&
    request.status === 'issued' &&
    can.manageCrates(user) &&
    request.items.some((item) => item.is_open ?? !item.returned_at)
  ) {
    actions.push('create_sendback');
  }
  return actions;
}

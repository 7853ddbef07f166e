export type RoleName =
  'System Administrator' | 'Unit Admin' | 'Document Manager' | 'Approver' | 'Store Head' | 'Viewer';

export interface User {
  id: number;
  username: string;
  full_name: string;
  email: string;
  unit: number | null;
  unit_code?: string | null;
  roles: RoleName[];
}

export interface Page<T> {
  count: number;
  /** false past the API's counting cap: `count` is then a lower bound (follow `next`). */
  count_exact?: boolean;
  next: string | null;
  previous: string | null;
  results: T[];
}

export type Id = number;

export interface Unit {
  id: Id;
  code: string;
  name: string;
  address?: string;
  is_active: boolean;
}

export interface Department {
  id: Id;
  unit: Id;
  unit_code?: string;
  code: string;
  name: string;
  is_active?: boolean;
}

export interface DocumentType {
  id: Id;
  code: string;
  name: string;
  retention_years: number;
  is_active?: boolean;
}

export type LocationKind = 'room' | 'rack' | 'shelf' | 'bin';

export interface StorageLocation {
  id: Id;
  unit: Id;
  unit_code?: string;
  parent: Id | null;
  kind: LocationKind;
  code: string;
  name: string;
  capacity: number;
  occupied: number;
  free: number;
  path: string;
  is_active: boolean;
}

export type CrateStatus = 'draft' | 'stored' | 'withdrawn' | 'in_transit' | 'destroyed';

export interface CrateDocument {
  id: Id;
  crate: Id;
  number: string;
  title: string;
  document_type: Id;
  document_type_name?: string;
  document_type_code?: string;
  record_date: string;
  retention_until: string | null;
  status: 'in_storage' | 'withdrawn' | 'destroyed';
}

export interface Crate {
  id: Id;
  number: string;
  unit: Id;
  unit_code?: string;
  department: Id;
  department_name?: string;
  location: Id | null;
  location_path?: string | null;
  status: CrateStatus;
  description: string;
  retention_until: string | null;
  legal_hold: boolean;
  legal_hold_reason?: string;
  documents?: CrateDocument[];
  document_count?: number;
  created_by?: Id | string | null;
  created_by_name?: string;
  created_at: string;
  updated_at?: string;
}

export type RequestType = 'storage' | 'withdrawal' | 'destruction' | 'transfer';
export type RequestStatus =
  | 'draft'
  | 'submitted'
  | 'approved'
  | 'rejected'
  | 'cancelled'
  | 'issued'
  | 'in_transit'
  | 'completed';

export type RequestAction =
  'submit' | 'cancel' | 'approve' | 'reject' | 'execute' | 'receive' | 'create_sendback';

export interface RequestItem {
  id: Id;
  crate: Id;
  crate_number?: string;
  document: Id | null;
  document_number?: string | null;
  document_title?: string | null;
  /** Where the crate is now. */
  location_path?: string | null;
  source_location_path?: string | null;
  allocated_location_path?: string | null;
  is_open?: boolean;
  returned_at?: string | null;
}

export interface Signature {
  meaning: string;
  full_name: string;
  signed_at: string;
  username?: string;
  comment?: string;
}

export interface DmsRequest {
  id: Id;
  number: string;
  request_type: RequestType;
  status: RequestStatus;
  unit: Id;
  unit_code?: string;
  requester: Id;
  requester_name?: string;
  purpose: string;
  items: RequestItem[];
  expected_return_date?: string | null;
  target_unit?: Id | null;
  target_unit_code?: string | null;
  decided_by?: Id | null;
  decided_by_name?: string | null;
  decided_at?: string | null;
  decision_comment?: string;
  executed_by?: Id | null;
  executed_by_name?: string | null;
  executed_at?: string | null;
  received_by_name?: string | null;
  received_at?: string | null;
  completed_at?: string | null;
  cancelled_at?: string | null;
  created_at: string;
  updated_at?: string;
  submitted_at?: string | null;
  is_overdue?: boolean;
  signatures?: Signature[];
  allowed_actions?: RequestAction[];
}

export interface SendBack {
  id: Id;
  number: string;
  request: Id;
  request_number?: string;
  unit?: Id;
  items: RequestItem[];
  status: 'pending' | 'received';
  returned_by?: Id | null;
  returned_by_name?: string | null;
  unit_code?: string;
  allowed_actions?: string[];
  received_by?: Id | null;
  received_by_name?: string | null;
  received_at?: string | null;
  condition_notes: string;
  created_at: string;
}

export interface AuditEvent {
  id: Id;
  timestamp: string;
  actor: Id | null;
  actor_username?: string;
  username?: string;
  action: string;
  entity_type: string;
  entity_id: string | number | null;
  entity_repr: string;
  changes: Record<string, [unknown, unknown]> | null;
  comment?: string;
  reason?: string;
  ip_address?: string | null;
  user_agent?: string;
  request_id?: string;
  hash?: string;
  prev_hash?: string;
  sequence?: number;
}

export interface Notification {
  id: Id;
  title: string;
  body: string;
  link: string;
  created_at: string;
  read_at: string | null;
  is_read?: boolean;
}

export interface Allocation {
  crate: Id;
  location: Id;
}

/**
 * Names for the API's shapes. The shapes themselves are generated from the backend's OpenAPI
 * schema into api-schema.d.ts (`make types`); a field is never retyped here, so the SPA cannot
 * drift from the API unnoticed (`make lint` fails when the generated file is stale).
 */
import type { components } from './api-schema';

type Schemas = components['schemas'];

export type Id = number;

/** A page of a list endpoint (`{count, next, previous, results}`). */
export type Page<T> = Omit<Schemas['PaginatedCrateList'], 'results'> & { results: T[] };

export type User = Schemas['User'];
/** The signed-in user (`/api/auth/me/`, the login response): a user plus `capabilities`. */
export type CurrentUser = Schemas['CurrentUser'];
export type Capability = CurrentUser['capabilities'][number];
export type RoleName = Schemas['RolesEnum'];
export type UserWrite = Schemas['UserWriteRequest'];
export type LoginResponse = Schemas['LoginResponse'];
export type WsTicket = Schemas['WsTicket'];
export type Unit = Schemas['Unit'];
export type Department = Schemas['Department'];
export type DocumentType = Schemas['DocumentType'];

export type StorageLocation = Schemas['StorageLocation'];
export type LocationKind = Schemas['KindEnum'];

export type Crate = Schemas['Crate'];
export type CrateDetail = Schemas['CrateDetail'];
export type CrateStatus = Schemas['CrateStatusEnum'];
export type CrateAction = Crate['allowed_actions'][number];
export type CrateDocument = Schemas['Document'];
export type DocumentWrite = Schemas['DocumentWriteRequest'];

export type DmsRequest = Schemas['Request'];
export type RequestItem = Schemas['RequestItem'];
export type RequestType = Schemas['RequestTypeEnum'];
export type RequestStatus = Schemas['RequestStatusEnum'];
export type RequestAction = DmsRequest['allowed_actions'][number];
export type NewRequest = Schemas['RequestCreateRequest'];
export type RequestUpdate = Schemas['PatchedRequestUpdateRequest'];
export type ItemInput = Schemas['ItemInputRequest'];
export type Allocation = Schemas['AllocationRequest'];
export type Signature = Schemas['Signature'];
export type SignatureDetail = Schemas['SignatureDetail'];
export type SignatureVerification = Schemas['SignatureVerification'];
export type SignaturePreview = Schemas['SignaturePreview'];
export type Certification = Schemas['Certification'];
export type DestructionMethod = Schemas['DestructionMethodEnum'];

export type SendBack = Schemas['SendBack'];
export type SendBackItem = Schemas['SendBackItem'];
export type SendBackAction = SendBack['allowed_actions'][number];

export type AuditEvent = Schemas['AuditEvent'];
export type AuditReview = Schemas['AuditReview'];
export type AuditReviewInput = Schemas['AuditReviewInputRequest'];
export type Notification = Schemas['Notification'];
export type Dashboard = Schemas['Dashboard'];
export type Report = Schemas['Report'];

export type CrateNeighbours = Schemas['CrateNeighbours'];
export type NeighbourCrate = Schemas['NeighbourCrate'];
export type CustodyItem = Schemas['CustodyItem'];
export type CustodyPerson = Schemas['CustodyPerson'];
export type RequestContext = Schemas['RequestContext'];
export type ContextCrate = Schemas['ContextCrate'];
export type DashboardUnitFigures = Schemas['DashboardUnitFigures'];

export type ScanResult = Schemas['ScanResult'];
export type LabelFormat = Schemas['LabelFormatEnum'];
export type PickItem = Schemas['PickItem'];
export type ReturnExtension = Schemas['ReturnExtension'];

export type InventoryCount = Schemas['Count'];
export type CountDetail = Schemas['CountDetail'];
export type CountLine = Schemas['CountLine'];
export type CountAction = InventoryCount['allowed_actions'][number];
export type CountScanResult = Schemas['CountScanResult'];
export type CountResolutionInput = Schemas['CountResolutionInputRequest'];
export type InventoryImport = Schemas['Import'];
export type ImportRowError = Schemas['ImportError'];
export type ImportPreview = Schemas['ImportPreview'];

// Retention: legal holds and the disposition review.
export type LegalHold = Schemas['Hold'];
export type DispositionCrate = Schemas['DispositionCrate'];
// Retention schedules: a change's preview, its read with the background recompute, events.
export type DocumentTypeChange = Schemas['DocumentTypeChange'];
export type RetentionRecompute = Schemas['RetentionRecompute'];
export type SchedulePreview = Schemas['SchedulePreview'];
export type RetentionTrigger = DocumentType['retention_trigger'];
export type RetentionEventResult = Schemas['RetentionEventResult'];

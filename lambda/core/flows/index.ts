/**
 * The sign-in flows, one module per route, behind the one import the handlers use (`../core/flows`): shared
 * context (`context.ts`), `GET /auth/login` (`login.ts`), `GET /auth/callback` (`callback.ts`, with the
 * transaction both start in `transaction.ts`), `POST /auth/logout` (`logout.ts`), `GET /auth/session` and
 * `POST /auth/session/refresh` (`session.ts`), `GET /auth/nhs-login-settings` (`nhs-login-settings.ts`) and the
 * authorizer of the session routes and mounts (`authorize.ts`, with the identity assertion it hands on in
 * `assertion.ts`).
 */
export { resolveSession, serviceOrigin, type FlowDeps, type ResolvedSession } from './context';
export { startLogin, type LoginInput } from './login';
export { completeCallback, parseCallbackQuery, type CallbackInput } from './callback';
export { logout } from './logout';
export { describeSession, refreshSession } from './session';
export { openNhsLoginSettings, type SettingsDeps } from './nhs-login-settings';
export { authorizeRequest, type AuthorizeInput, type AuthorizerContext, type AuthorizerDecision, type DenyReason } from './authorize';
export { assertionFor } from './assertion';
// Lives beside the assurance model now; re-exported for the callers that imported it from the flows.
export { requirementFor, type RouteRequirement } from '../route-assurance';

export { createRouterHandler, type RouterDeps } from './router-handler.ts';
export { planRoute, UnknownModelError, type RoutePlan, type RouteTarget, type RoutePlanInput } from './route-plan.ts';
export { createTargetBreakers, BreakerOpenError, type TargetBreakers, type BreakerSettings, type BreakerState } from './target-breakers.ts';
export { isBackendFailure } from './backend-failure.ts';

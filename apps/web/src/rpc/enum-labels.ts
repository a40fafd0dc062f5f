import { Backend, Tier } from '@sophia/contracts/common';

/** The tier as people say it ("simple", "balanced", "complex"). */
export function tierLabel(tier: Tier): string {
  switch (tier) {
    case Tier.SIMPLE:
      return 'simple';
    case Tier.BALANCED:
      return 'balanced';
    case Tier.COMPLEX:
      return 'complex';
    default:
      return 'unspecified';
  }
}

/** The backend as people say it ("serverless", "GPU"). */
export function backendLabel(backend: Backend): string {
  switch (backend) {
    case Backend.SERVERLESS:
      return 'serverless';
    case Backend.GPU:
      return 'GPU';
    default:
      return 'unspecified';
  }
}

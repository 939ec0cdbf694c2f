import { ALLOWED } from '../regions';
import { denyTypes } from '../rule';

/**
 * Services that route or probe traffic from outside the region: Global Accelerator's anycast edge, EventBridge
 * global endpoints (failover to a secondary region), Route 53 health checkers (worldwide) and Route 53 query
 * logging (its log group must be in us-east-1).
 */
export const GlobalRouting = denyTypes(
  {
    id: 'UkResidency-GlobalRouting',
    info: 'No Global Accelerator, EventBridge global endpoints, Route 53 health checks or Route 53 query logging.',
    explanation:
      'Global Accelerator terminates connections at edge locations worldwide; an EventBridge global endpoint fails ' +
      'events over to a secondary region; Route 53 health checkers call the service from regions around the world; ' +
      `Route 53 query logs must be delivered to us-east-1. Each processes requests or events outside ${ALLOWED}.`,
  },
  {
    'AWS::Events::Endpoint': 'a global endpoint replicates and fails over events to a secondary region',
    'AWS::Route53::HealthCheck': 'health checkers call the endpoint from regions worldwide',
    'AWS::Route53::QueryLoggingConfig': 'query logs are delivered to a log group in us-east-1',
    'AWS::Route53Resolver::ResolverQueryLoggingConfig': 'resolver query logs can be delivered to another region',
  },
  { 'AWS::GlobalAccelerator::': 'Global Accelerator terminates connections at edge locations worldwide' },
);

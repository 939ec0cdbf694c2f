/** What a stage sustains within its config and the eu-west-2 quotas: `npm run capacity -- <stage>`. */
export { CALLS_PER_INVOCATION, DURATIONS, FLOWS, REQUEST_UNITS, type DurationAssumption } from './assumptions';
export { parseCapacityArgs, runCapacity, type CommandOutput } from './cli';
export { formatCapacity, rate } from './format';
export { computeCapacity, requestsPerFlow, tableCallsPerFlow, type Binding, type Capacity, type CapacityOptions, type Flow, type Limit } from './model';
export { QUOTAS, type Quota, type QuotaId, type Quotas } from './quotas';

import { ALLOWED } from '../regions';
import { denyTypes } from '../rule';

/**
 * No StackSets: a stack set deploys its template to a list of regions and accounts that the template itself
 * does not bound. (Nested stacks are fine; their `TemplateURL` is checked for region names like any string.)
 */
export const StackSets = denyTypes(
  {
    id: 'UkResidency-StackSets',
    info: 'No CloudFormation StackSets.',
    explanation:
      'A StackSet deploys a template to the regions and accounts listed in its deployment targets, which can be ' +
      `changed outside this template; it is a way of creating resources outside ${ALLOWED}.`,
  },
  { 'AWS::CloudFormation::StackSet': 'it deploys templates to other regions and accounts' },
);

import * as flows from '../../../../lambda/core/flows';
import { requiredProfileFor } from '../../../../lambda/core/route-assurance';

describe('flows index', () => {
  it('exports the same functions as the single flows module it replaced', () => {
    expect(Object.keys(flows).sort()).toEqual([
      'authorizeRequest',
      'completeCallback',
      'describeSession',
      'logout',
      'parseCallbackQuery',
      'requiredProfileFor',
      'resolveSession',
      'serviceOrigin',
      'startLogin',
    ]);
    expect(flows.requiredProfileFor).toBe(requiredProfileFor);
  });
});

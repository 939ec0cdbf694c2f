import { onceUntilFailure } from '../../../lambda/adapters/once';

describe('onceUntilFailure', () => {
  it('fetches once and shares the value, also with calls made while the fetch is in flight', async () => {
    let calls = 0;
    const get = onceUntilFailure(async () => ++calls);
    expect(await Promise.all([get(), get()])).toEqual([1, 1]);
    expect(await get()).toBe(1);
    expect(calls).toBe(1);
  });

  it('forgets a failure, so the next call fetches again', async () => {
    let calls = 0;
    const get = onceUntilFailure(async () => {
      calls += 1;
      if (calls === 1) throw new Error('down');
      return 'up';
    });
    await expect(get()).rejects.toThrow('down');
    expect(await get()).toBe('up');
    expect(await get()).toBe('up');
    expect(calls).toBe(2);
  });
});

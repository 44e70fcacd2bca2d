import { searchVerdict } from './verdict';

describe('searchVerdict', () => {
  it('calls a supernet at chance uninformative, by validation accuracy when there is a split', () => {
    // 8 classes on 128 clips: chance 12.5%, three standard errors 8.8 points
    expect(searchVerdict({ classes: 8, trainLoss: 2.08, val: { acc: 0.2, clips: 128 } })).toEqual({
      informative: false,
      reason: 'validation accuracy 20.0% on 128 clips against chance 12.5% (not above 21.3%, chance plus three standard errors)',
    });
    expect(searchVerdict({ classes: 8, trainLoss: 0.4, val: { acc: 0.84, clips: 128 } }).informative).toBe(true);
    // the bar narrows with more clips
    expect(searchVerdict({ classes: 8, trainLoss: 2, val: { acc: 0.2, clips: 2000 } }).informative).toBe(true);
  });

  it('falls back to the training loss against ln(classes) without a validation split', () => {
    expect(searchVerdict({ classes: 4, trainLoss: 1.38 })).toMatchObject({
      informative: false,
      reason: expect.stringMatching(/no validation split; last training loss 1\.380 against chance ln 4 = 1\.386/),
    });
    expect(searchVerdict({ classes: 4, trainLoss: 0.6 }).informative).toBe(true);
    expect(searchVerdict({ classes: 4, trainLoss: 0.6, val: { acc: 0, clips: 0 } }).informative).toBe(true);
  });
});

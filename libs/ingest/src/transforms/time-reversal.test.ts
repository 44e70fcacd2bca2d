import { reversalPartners } from './time-reversal';

describe('time-reversal pairs come from the config', () => {
  const classes = [
    'closing something',
    'opening something',
    'pushing something from left to right',
    'pushing something from right to left',
    'holding something',
  ];

  it('maps each paired class to its partner and the others to -1', () => {
    expect(
      reversalPartners(classes, [
        ['opening something', 'closing something'],
        ['pushing something from left to right', 'pushing something from right to left'],
      ]),
    ).toEqual([1, 0, 3, 2, -1]);
  });

  it('names a class that is not in the dataset, or one in two pairs', () => {
    expect(() => reversalPartners(classes, [['opening something', 'unfolding something']])).toThrow(
      /clips\.timeReversal\.pairs: class "unfolding something" is not one of the dataset's 5 classes/,
    );
    expect(() =>
      reversalPartners(classes, [
        ['opening something', 'closing something'],
        ['closing something', 'holding something'],
      ]),
    ).toThrow(/class "closing something" is in two pairs/);
  });
});

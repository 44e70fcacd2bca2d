import { shardOrder, shardSize } from './shard';

describe('shardOrder (DistributedSampler semantics)', () => {
  it('gives every rank the same count and every item to some rank each epoch, padding from the start', () => {
    const order = [7, 3, 9, 1, 4, 8, 2, 6, 0, 5]; // 10 items over 4 ranks: 12 slots, items 7 and 3 twice
    const shards = [0, 1, 2, 3].map((rank) => shardOrder(order, { rank, worldSize: 4 }));
    expect(shards.map((s) => s.length)).toEqual([3, 3, 3, 3]);
    expect(shardSize(10, 4)).toBe(3);
    expect(shards).toEqual([
      [7, 4, 0],
      [3, 8, 5],
      [9, 2, 7],
      [1, 6, 3],
    ]);
    expect(new Set(shards.flat())).toEqual(new Set(order));
  });

  it('is the order itself for one rank, splits evenly without padding, refuses a bad place', () => {
    expect(shardOrder([1, 2, 3], { rank: 0, worldSize: 1 })).toEqual([1, 2, 3]);
    expect(shardOrder([1, 2, 3, 4], { rank: 1, worldSize: 2 })).toEqual([2, 4]);
    expect(shardOrder([], { rank: 0, worldSize: 2 })).toEqual([]);
    expect(() => shardOrder([1], { rank: 2, worldSize: 2 })).toThrow(/rank 2 of world size 2/);
  });
});

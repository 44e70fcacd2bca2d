/**
 * One rank's share of an epoch's order, with PyTorch's DistributedSampler semantics: the order is padded by
 * repeating its first items up to a multiple of the world size, then rank r takes items r, r + W, r + 2W, ...
 * Every clip is seen once per epoch across the ranks (a few twice, the padding), and every rank gets the same
 * count, so no rank waits at a collective for a batch another does not have. Pure.
 */
export interface Shard {
  rank: number;
  worldSize: number;
}

/** Items per rank for `n` items: ceil(n / worldSize). */
export function shardSize(n: number, worldSize: number): number {
  return Math.ceil(n / worldSize);
}

export function shardOrder<T>(order: readonly T[], { rank, worldSize }: Shard): T[] {
  if (!(Number.isInteger(worldSize) && worldSize >= 1 && Number.isInteger(rank) && rank >= 0 && rank < worldSize))
    throw new Error(`shard: rank ${rank} of world size ${worldSize} is not a valid place (0 <= rank < worldSize)`);
  if (order.length === 0) return [];
  const total = shardSize(order.length, worldSize) * worldSize;
  const out: T[] = [];
  for (let i = rank; i < total; i += worldSize) out.push(order[i % order.length]);
  return out;
}

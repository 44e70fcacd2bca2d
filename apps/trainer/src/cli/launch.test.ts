/**
 * The launcher's pure parts: where a worker stands from torchrun's (or srun's wrapper's) environment, what the flags
 * ask for, and the environment each local worker gets. The processes themselves: test/data-parallel.test.ts.
 */
import { launchRequested, workerEnv, workerPlace } from './launch';

describe('workerPlace (torchrun environment)', () => {
  it('reads RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR and MASTER_PORT', () => {
    expect(
      workerPlace({
        RANK: '5',
        WORLD_SIZE: '8',
        LOCAL_RANK: '1',
        LOCAL_WORLD_SIZE: '4',
        MASTER_ADDR: '10.0.0.2',
        MASTER_PORT: '29400',
        PVNAS_DIST_TIMEOUT: '90',
      }),
    ).toEqual({ rank: 5, worldSize: 8, localRank: 1, localWorldSize: 4, nodes: 2, masterAddr: '10.0.0.2', masterPort: 29400, timeoutMs: 90_000 });
  });

  it('defaults: one node, 127.0.0.1:29500; no place alone or with WORLD_SIZE 1', () => {
    expect(workerPlace({ RANK: '1', WORLD_SIZE: '2' })).toEqual({
      rank: 1,
      worldSize: 2,
      localRank: 1,
      localWorldSize: 2,
      nodes: 1,
      masterAddr: '127.0.0.1',
      masterPort: 29500,
    });
    expect(workerPlace({})).toBeUndefined();
    expect(workerPlace({ RANK: '0', WORLD_SIZE: '1' })).toBeUndefined();
  });

  it.each([
    [{ RANK: '2', WORLD_SIZE: '2' }, /RANK must be below WORLD_SIZE/],
    [{ RANK: '0' }, /RANK is set but WORLD_SIZE is not/],
    [{ WORLD_SIZE: '4' }, /WORLD_SIZE is set but RANK is not/],
    [{ RANK: 'x', WORLD_SIZE: '2' }, /RANK: RANK must be a number/],
    [{ RANK: '0', WORLD_SIZE: '2', MASTER_PORT: '70000' }, /MASTER_PORT must be <= 65535/],
    [{ RANK: '0', WORLD_SIZE: '4', LOCAL_RANK: '2', LOCAL_WORLD_SIZE: '2' }, /LOCAL_RANK must be below LOCAL_WORLD_SIZE/],
  ])('refuses %j naming what is wrong', (env, message) => {
    expect(() => workerPlace(env)).toThrow(message);
  });
});

describe('launchRequested and workerEnv', () => {
  it('one process needs no launcher; a worker (RANK set) never launches again', () => {
    expect(launchRequested({}, {})).toBeUndefined();
    expect(launchRequested({ nprocPerNode: 1 }, {})).toBeUndefined();
    expect(launchRequested({ nprocPerNode: 2 }, { RANK: '0' })).toBeUndefined();
    expect(launchRequested({ nprocPerNode: 2 }, {})).toEqual({ nprocPerNode: 2, nnodes: 1, nodeRank: 0, masterAddr: undefined, masterPort: 29500 });
  });

  it('several nodes need --master-addr and a --node-rank below --nnodes', () => {
    expect(() => launchRequested({ nprocPerNode: 2, nnodes: 2 }, {})).toThrow(/--nnodes 2 needs --master-addr/);
    expect(() => launchRequested({ nnodes: 2, nodeRank: 2, masterAddr: 'h' }, {})).toThrow(/--node-rank 2 must be below --nnodes 2/);
  });

  it('gives node 1 of 2 ranks 4-7 of 8, its share of the threads and the rendezvous', () => {
    const o = { nprocPerNode: 4, nnodes: 2, nodeRank: 1, masterAddr: '10.0.0.2', masterPort: 29400 };
    const env = workerEnv(o, 3, undefined, { PATH: '/bin' });
    expect(env).toMatchObject({
      RANK: '7',
      WORLD_SIZE: '8',
      LOCAL_RANK: '3',
      LOCAL_WORLD_SIZE: '4',
      GROUP_RANK: '1',
      MASTER_ADDR: '10.0.0.2',
      MASTER_PORT: '29400',
      PATH: '/bin',
    });
    expect(Number(env.PVNAS_THREADS)).toBeGreaterThanOrEqual(1);
    expect(env.PVNAS_STORE_FILE).toBeUndefined();
    expect(workerEnv({ ...o, nnodes: 1, nodeRank: 0 }, 0, '/tmp/x/store', { PVNAS_THREADS: '3' })).toMatchObject({
      PVNAS_THREADS: '3',
      PVNAS_STORE_FILE: '/tmp/x/store',
    });
  });
});

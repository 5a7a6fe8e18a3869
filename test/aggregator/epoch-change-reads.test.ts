/**
 * Reads during an epoch change (docs/protocol.md §3.3): while shards move to the new committee,
 * a blob certified in an earlier epoch is read from the previous committee, which still holds it.
 * The chain here claims a new epoch whose committee has every node's shards moved to its
 * neighbour, so the "new" owners hold nothing yet.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ChainClient, Committee, CommitteeMember, SystemState } from '../../src/chain/chain-client.ts';
import type { LocalChainClient } from '../../src/chain/local-chain-client.ts';
import { startGateway, type GatewayFixture } from '../fixtures/gateway.ts';
import { randomBytes } from '../fixtures/random.ts';

/** The next epoch's committee: the same nodes, each holding its neighbour's shards. */
function movedShards(committee: Committee): Committee {
  const count = committee.members.length;
  const members: CommitteeMember[] = committee.members.map((member, i) => {
    const from = committee.members[(i + 1) % count];
    return { ...member, shards: from.shards, weight: from.weight };
  });
  const memberByShard: CommitteeMember[] = [];
  for (const member of members) for (const shard of member.shards) memberByShard[shard] = member;
  return { ...committee, epoch: committee.epoch + 1, members, memberByShard };
}

function inNextEpoch(chain: LocalChainClient, syncing: boolean): ChainClient {
  return new Proxy(chain, {
    get(target, property) {
      if (property === 'getSystemState') {
        const getSystemState: ChainClient['getSystemState'] = async (options) => {
          const state = await target.getSystemState(options);
          const next: SystemState = { ...state, epoch: { ...state.epoch, epoch: state.epoch.epoch + 1 }, committee: movedShards(state.committee) };
          return syncing ? { ...next, previousCommitteeForReads: state.committee } : next;
        };
        return getSystemState;
      }
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function inNextEpochTest(syncing: boolean, title: string, expectServed: boolean): void {
  describe(title, () => {
    let gw: GatewayFixture;
    before(async () => {
      gw = await startGateway({ gatewayChain: (chain) => inNextEpoch(chain, syncing), args: ['--node-timeout-ms', '2000'] });
    });
    after(() => gw.stop());

    it(expectServed ? 'reads a blob certified before the epoch from the previous committee' : 'asks the new owners, who cannot serve it', async () => {
      const blob = randomBytes(20_000, 5);
      const { blobId } = await gw.store(blob);
      const response = await fetch(`${gw.url}/v1/blobs/${blobId}`);
      const body = new Uint8Array(await response.arrayBuffer());
      if (expectServed) {
        assert.equal(response.status, 200);
        assert.deepEqual(body, blob);
      } else {
        assert.equal(response.status, 503, 'nodes that hold none of their shards yet cannot serve the blob');
      }
    });
  });
}

inNextEpochTest(true, 'reads during an epoch change', true);
inNextEpochTest(false, 'reads after the epoch change, as a control: the shards have not moved in fact', false);

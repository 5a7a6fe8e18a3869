/** The local network's control server, as the soak drives it: faults and latency per storage node. */
import type { LocalNetworkDescription } from '../../src/local/local-network.ts';

export async function setFaults(controlUrl: string, name: string, faults: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${controlUrl}/v1/nodes/${name}/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
  if (!response.ok) throw new Error(`control server: ${response.status} ${await response.text()}`);
}

/** The same latency on every node, so that requests overlap long enough to fill the slots. */
export async function setLatency(network: LocalNetworkDescription, latencyMs: number): Promise<void> {
  await Promise.all(network.nodes.map((node) => setFaults(network.controlUrl, node.name, { latencyMs })));
}

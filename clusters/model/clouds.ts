// The clouds Slipway builds on: one descriptor each (stacks/<cloud>/cloud.ts), in a map the
// compiler checks is total — a cloud added to the schema without a complete descriptor does not
// build. Shared code asks `cloudOf(config)` instead of testing `cloud === …`.
//
// How to add a cloud: README → Architecture → "Adding a cloud".
import { aws } from "../../stacks/aws/cloud";
import { openstack } from "../../stacks/openstack/cloud";
import type { z } from "zod";
import type { CloudDescriptor } from "./cloud";

export const CLOUDS = { openstack, aws } as const;

export type CloudName = keyof typeof CLOUDS;
/** The parsed cluster file of cloud K. */
export type ClusterConfigOf<K extends CloudName> = z.output<(typeof CLOUDS)[K]["schema"]>;
type ConfigOf<K extends CloudName> = ClusterConfigOf<K>;

// Every entry is a complete descriptor of its own cloud (name and key agree).
CLOUDS satisfies { [K in CloudName]: CloudDescriptor<ConfigOf<K>> & { name: K } };

/** The descriptor of the config's cloud, typed for that config. */
export function cloudOf<C extends { cloud: CloudName }>(config: C): CloudDescriptor<C> {
  // the discriminant picks the descriptor whose Config is exactly C: the one cast the registry needs
  return CLOUDS[config.cloud] as unknown as CloudDescriptor<C>;
}

// The cluster file, as a schema. This is the single definition of what a cluster file may say:
// the TypeScript types, the defaults, the validation messages and the JSON Schema (`slipway schema`)
// all come from here — the common fields from fragments.ts, each cloud's own from its descriptor
// (stacks/<cloud>/cloud.ts). Cross-field rules (CIDR overlap, subnet capacity, unique pool names)
// live in rules.ts because they need the whole file at once.
//
// Deliberately small dependency surface: this module must load fast, because `slipway validate`
// loads nothing else (no cdktf, no provider packages).
import { z } from "zod";
import { CLOUDS, type CloudName } from "./clouds";

export type { CloudName } from "./clouds";
export type { AwsClusterConfig } from "../../stacks/aws/cloud";
export type { OpenstackClusterConfig } from "../../stacks/openstack/cloud";

export const ClusterFile = z.discriminatedUnion("cloud", [CLOUDS.openstack.schema, CLOUDS.aws.schema]);

export type ClusterConfig = z.output<typeof ClusterFile>;

// Every registered cloud is in the union above, and nothing else is: the compiler says so.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const everyCloudInTheSchema: Same<ClusterConfig["cloud"], CloudName> = true;
void everyCloudInTheSchema;

/** Fields that only one cloud understands, to turn "unknown field" into a useful hint. */
export const CLOUD_ONLY_FIELDS: ReadonlyMap<string, CloudName> = new Map(
  Object.values(CLOUDS).flatMap((d) => d.ownFields.map((f) => [f, d.name] as const)),
);

/** The JSON Schema of the cluster file (input side: fields with defaults are optional). */
export function clusterJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ClusterFile, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return {
    $schema: schema.$schema,
    title: "Slipway cluster file",
    description: "One Kubernetes cluster on Flatcar Container Linux, on OpenStack or AWS.",
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== "$schema")),
  };
}

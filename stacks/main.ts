// Entry point for `cdktf synth` / `cdktf deploy` (cdktf.json "app"). The cluster file comes from
// SLIPWAY_CLUSTER (default: the embedded demo), the output folder from CDKTF_OUTDIR (set by the
// cdktf CLI). It behaves exactly like `slipway synth`: one line and exit 1 for a bad file,
// nothing written on failure, the same rules for the output folder.
import { exitWithError } from "../clusters/model/errors";
import { loadCluster } from "../clusters/model/load";

export const DEFAULT_CLUSTER_FILE = "clusters/demo-openstack.yaml";

async function main(): Promise<void> {
  try {
    const cluster = loadCluster(process.env.SLIPWAY_CLUSTER || DEFAULT_CLUSTER_FILE);
    // loaded only now: a bad file is reported before cdktf is even loaded
    const { synthesize } = require("./app") as typeof import("./app");
    await synthesize(cluster, process.env.CDKTF_OUTDIR || "cdktf.out");
  } catch (e) {
    exitWithError(e);
  }
}

if (require.main === module) void main();

// Entry point for `cdktf synth` / `cdktf deploy` (cdktf.json "app"). The cluster file comes from
// SLIPWAY_CLUSTER (default: the embedded demo). `slipway synth` is the faster way to the same
// output; this file exists so the standard cdktf workflow works too.
import { ClusterFileError, loadCluster } from "./model/load";
import { buildApp, SynthError } from "./app";

export const DEFAULT_CLUSTER_FILE = "clusters/demo-openstack.yaml";

function main(): void {
  const file = process.env.SLIPWAY_CLUSTER || DEFAULT_CLUSTER_FILE;
  try {
    const cluster = loadCluster(file);
    const { app, budget } = buildApp(cluster, process.env.CDKTF_OUTDIR || "cdktf.out");
    const problems = budget.problems();
    if (problems.length > 0) throw new SynthError(file, problems);
    app.synth();
  } catch (e) {
    if (e instanceof ClusterFileError || e instanceof SynthError) {
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  }
}

if (require.main === module) main();

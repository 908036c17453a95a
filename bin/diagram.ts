// `slipway diagram [file] [--out cluster.svg]`: the cluster as an SVG (stacks/diagram.ts). Written
// to standard output, or to a file — only a new one or an SVG slipway drew before, never through a
// link.
import { printable } from "../clusters/model/errors";
import type { Cluster } from "../clusters/model/load";
import { mayReplace, writeFileSafely } from "../clusters/model/safe-files";
import { clusterSvg, DIAGRAM_MARK } from "../stacks/diagram";
import { UsageError } from "./errors";

const isOurDiagram = (head: Buffer) => head.subarray(0, 200).toString("utf8").includes(DIAGRAM_MARK);

export async function diagramCommand(cluster: Cluster, out?: string): Promise<void> {
  if (out === "") throw new UsageError("--out needs a file name");
  if (out) mayReplace(out, "a diagram", isOurDiagram, 200);
  const svg = await clusterSvg(cluster);
  if (!out) {
    process.stdout.write(svg);
    return;
  }
  writeFileSafely(out, svg, 0o644);
  process.stderr.write(`Drew ${cluster.config.name} → ${printable(out)} (${Buffer.byteLength(svg).toLocaleString("en")} B)\n`);
}

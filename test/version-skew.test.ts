// Kubernetes' version-skew policy as `slipway roll` applies it (bin/version-skew.ts): the cases
// the roll tests do not reach through the CLI — a roll resumed halfway, patch versions, versions
// that cannot be read, a control plane with no registered Node.
import { describe, expect, it } from "vitest";
import { skewProblems } from "../bin/version-skew";

const masters = ["m0", "m1", "m2"];
const run = (...v: [string, string][]) => v.map(([name, kubelet]) => ({ name, kubelet }));

describe("version skew", () => {
  it("lets a master roll resume halfway (masters one minor apart) and patch releases move either way", () => {
    expect(skewProblems("master", "1.36.1", run(["m0", "v1.36.1"], ["m1", "v1.35.4"], ["m2", "v1.35.4"]), masters)).toEqual([]);
    expect(skewProblems("master", "1.36.0", run(["m0", "v1.36.3"], ["m1", "v1.36.3"], ["m2", "v1.36.3"]), masters)).toEqual([]);
    expect(
      skewProblems("pool", "1.36.5", run(["m0", "v1.36.1"], ["m1", "v1.36.1"], ["m2", "v1.36.1"], ["w0", "v1.33.0"]), masters),
    ).toEqual([]);
  });

  it("counts only masters as API servers, and reads versions with a suffix", () => {
    // a worker already at the target does not make the control plane newer
    expect(skewProblems("pool", "1.36.1", run(["m0", "v1.35.0-eks.1"], ["w0", "v1.36.1"]), masters)).toEqual([
      "a kubelet of 1.36 would be newer than m0's API server (v1.35.0-eks.1): roll the masters to 1.36 first",
    ]);
  });

  it("refuses what it cannot judge", () => {
    expect(skewProblems("master", "1.36.1", run(["w0", "v1.36.1"]), masters)).toEqual([
      "no master's Node is registered: the control plane's version is unknown",
    ]);
    expect(skewProblems("pool", "1.36.1", run(["m0", "v1.36.1"], ["w0", ""]), masters)).toEqual([
      "cannot read the kubelet version of w0 (no version)",
    ]);
  });
});

// cdktf's jest matchers work with vitest's expect (toHaveResourceWithProperties, …).
import { Testing } from "cdktf";
import { expect } from "vitest";

(globalThis as unknown as { expect: typeof expect }).expect = expect;
Testing.setupJest();

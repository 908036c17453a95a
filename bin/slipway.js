#!/usr/bin/env node
// Entry point of the `slipway` CLI: runs the TypeScript sources through tsx, so `npx slipway`
// works right after `npm ci` with no build step.
"use strict";
require("tsx/cjs");
// cdktf captures a stack trace for every token; mapping those through source maps doubles
// synthesis time. Users never see our stack traces, so keep them unmapped unless debugging.
if (!process.env.SLIPWAY_DEBUG) process.setSourceMapsEnabled(false);
require("./cli.ts");
